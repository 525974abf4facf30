using k8s.Models;

namespace MeshNet.Cli.Install;

/// <summary>The control plane's ServiceAccount, least-privilege cluster access, and the CA Secret's Role in its namespace.</summary>
internal static class AccessManifests
{
    public static V1ServiceAccount ServiceAccount(InstallValues values) => new()
    {
        ApiVersion = "v1",
        Kind = "ServiceAccount",
        Metadata = new V1ObjectMeta { Name = InstallNames.ControlPlane, NamespaceProperty = values.Namespace, Labels = InstallNames.Labels() },
    };

    /// <summary>
    /// Read what it compiles (list + watch: the watchers never GET single objects), write only the status of its own
    /// CRDs, review sidecar tokens, and patch the caBundle of its one webhook configuration (by name) unless
    /// cert-manager's CA injector owns that.
    /// </summary>
    public static V1ClusterRole ClusterRole(InstallValues values)
    {
        List<V1PolicyRule> rules =
        [
            new() { ApiGroups = [""], Resources = ["namespaces", "services", "pods"], Verbs = ["list", "watch"] },
            new() { ApiGroups = ["discovery.k8s.io"], Resources = ["endpointslices"], Verbs = ["list", "watch"] },
            new() { ApiGroups = ["meshnet.io"], Resources = ["trafficpolicies", "trafficroutes", "authorizationpolicies"], Verbs = ["list", "watch"] },
            new() { ApiGroups = ["meshnet.io"], Resources = ["trafficpolicies/status", "trafficroutes/status", "authorizationpolicies/status"], Verbs = ["patch"] },
            new() { ApiGroups = ["authentication.k8s.io"], Resources = ["tokenreviews"], Verbs = ["create"] },
        ];
        if (!values.CertManagerEnabled)
        {
            rules.Add(new V1PolicyRule
            {
                ApiGroups = ["admissionregistration.k8s.io"],
                Resources = ["mutatingwebhookconfigurations"],
                ResourceNames = [InstallNames.WebhookConfiguration],
                Verbs = ["get", "patch"],
            });
        }

        return new V1ClusterRole
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "ClusterRole",
            Metadata = new V1ObjectMeta { Name = InstallNames.ControlPlane, Labels = InstallNames.Labels() },
            Rules = rules,
        };
    }

    /// <summary>
    /// The mesh CA Secret, in the control plane's namespace only: get by name, and create, which RBAC cannot limit by
    /// name (an object's name is not known when its create is authorized): any Secret may be created there, but none
    /// besides the CA's read, changed or deleted.
    /// </summary>
    public static V1Role CaSecretRole(InstallValues values) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "Role",
        Metadata = new V1ObjectMeta { Name = InstallNames.ControlPlane, NamespaceProperty = values.Namespace, Labels = InstallNames.Labels() },
        Rules =
        [
            new() { ApiGroups = [""], Resources = ["secrets"], ResourceNames = [values.CaSecret], Verbs = ["get"] },
            new() { ApiGroups = [""], Resources = ["secrets"], Verbs = ["create"] },
        ],
    };

    public static V1RoleBinding CaSecretRoleBinding(InstallValues values) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "RoleBinding",
        Metadata = new V1ObjectMeta { Name = InstallNames.ControlPlane, NamespaceProperty = values.Namespace, Labels = InstallNames.Labels() },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = InstallNames.ControlPlane },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = InstallNames.ControlPlane, NamespaceProperty = values.Namespace }],
    };

    public static V1ClusterRoleBinding ClusterRoleBinding(InstallValues values) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "ClusterRoleBinding",
        Metadata = new V1ObjectMeta { Name = InstallNames.ControlPlane, Labels = InstallNames.Labels() },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = InstallNames.ControlPlane },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = InstallNames.ControlPlane, NamespaceProperty = values.Namespace }],
    };
}

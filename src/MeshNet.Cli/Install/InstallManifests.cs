using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MeshNet.Kubernetes.Injection;

namespace MeshNet.Cli.Install;

/// <summary>
/// Everything <c>meshctl install</c> prints, in apply order. This renderer is the source of truth for the install
/// manifests; charts/meshnet/templates mirror it, and a test compares <c>helm template</c> with it where helm exists
/// (Go templates cannot be evaluated from C#, and a chart cannot run C#, so one of the two has to be the copy).
/// The CRDs are not part of it: they are applied from charts/meshnet/crds first, as Helm does.
/// </summary>
internal static class InstallManifests
{
    public static IReadOnlyList<JsonObject> Render(InstallValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        List<JsonObject> documents =
        [
            Node(Namespace(values)),
            Node(AccessManifests.ServiceAccount(values)),
            Node(AccessManifests.ClusterRole(values)),
            Node(AccessManifests.ClusterRoleBinding(values)),
            Node(AccessManifests.CaSecretRole(values)),
            Node(AccessManifests.CaSecretRoleBinding(values)),
            Node(ControlPlaneManifests.Service(values)),
            Node(ControlPlaneManifests.Deployment(values)),
            Node(ControlPlaneManifests.DisruptionBudget(values)),
        ];
        if (values.CertManagerEnabled)
        {
            documents.AddRange(WebhookManifests.CertManager(values));
        }

        documents.Add(Node(WebhookManifests.Configuration(values)));
        return documents;
    }

    /// <summary>
    /// meshctl creates the namespace (Helm's --create-namespace does it for the chart); labelled so that nothing in it
    /// is ever injected, on top of the webhooks' own exclusion by name.
    /// </summary>
    private static V1Namespace Namespace(InstallValues values) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta
        {
            Name = values.Namespace,
            Labels = new Dictionary<string, string>(InstallNames.Labels()) { [InjectionNames.Inject] = InjectionNames.Disabled },
        },
    };

    private static JsonObject Node(object resource) => JsonNode.Parse(KubernetesJson.Serialize(resource))!.AsObject();
}

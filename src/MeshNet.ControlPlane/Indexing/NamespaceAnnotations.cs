using MeshNet.Model;
using MeshNet.Model.Security;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>Reads meshnet.io/default-policy and meshnet.io/mtls from a Namespace; an invalid value is an error on the Namespace.</summary>
internal static class NamespaceAnnotations
{
    /// <param name="previous">What stays in force for an annotation whose current value is invalid.</param>
    public static NamespaceSecurity Read(MeshNamespace ns, NamespaceSecurity previous, List<ResourceError> errors)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(previous);
        var defaultDeny = NamespaceSecurity.Default.DefaultDeny;
        if (ns.Annotations.TryGetValue(SecurityAnnotations.DefaultPolicy, out var policy))
        {
            switch (policy)
            {
                case "deny":
                    defaultDeny = true;
                    break;
                case "allow":
                    defaultDeny = false;
                    break;
                default:
                    errors.Add(Error(ns, SecurityAnnotations.DefaultPolicy, policy, "allow, deny"));
                    defaultDeny = previous.DefaultDeny;
                    break;
            }
        }

        var mtls = NamespaceSecurity.Default.Mtls;
        if (ns.Annotations.TryGetValue(SecurityAnnotations.Mtls, out var mode))
        {
            switch (mode)
            {
                case "strict":
                    mtls = MtlsMode.Strict;
                    break;
                case "permissive":
                    mtls = MtlsMode.Permissive;
                    break;
                case "disabled":
                    mtls = MtlsMode.Disabled;
                    break;
                default:
                    errors.Add(Error(ns, SecurityAnnotations.Mtls, mode, "strict, permissive, disabled"));
                    mtls = previous.Mtls;
                    break;
            }
        }

        var security = new NamespaceSecurity(defaultDeny, mtls);
        return security == previous ? previous : security == NamespaceSecurity.Default ? NamespaceSecurity.Default : security;
    }

    private static ResourceError Error(MeshNamespace ns, string annotation, string value, string allowed) =>
        new(AuthorizationState.Origin, null, ns.Key, $"metadata.annotations[{annotation}]", $"unsupported value \"{value}\": must be one of {allowed}");
}

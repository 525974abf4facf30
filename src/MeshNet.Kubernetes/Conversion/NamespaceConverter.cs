using k8s.Models;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Conversion;

public static class NamespaceConverter
{
    public static MeshNamespace ToMeshNamespace(V1Namespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return new MeshNamespace(
            ns.Metadata?.Name ?? string.Empty,
            ConversionHelpers.ToImmutable(ns.Metadata?.Labels),
            ConversionHelpers.ToImmutable(ns.Metadata?.Annotations));
    }
}

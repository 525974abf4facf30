using k8s.Models;

namespace MeshNet.Kubernetes.Validation;

internal static class NamespaceValidator
{
    /// <summary>Namespace names are DNS-1123 labels: they become one label of every Service's DNS name.</summary>
    public static void Validate(V1Namespace ns, FieldErrors errors) =>
        MetadataValidator.Validate(ns.Metadata, NameFormat.Dns1123Label, namespaced: false, errors);
}

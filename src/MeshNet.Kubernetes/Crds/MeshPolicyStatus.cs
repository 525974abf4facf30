using System.Text.Json.Serialization;
using k8s.Models;

namespace MeshNet.Kubernetes.Crds;

/// <summary>The status subresource of MeshNet's policy CRDs: conditions such as Accepted, written by the control plane.</summary>
public sealed class MeshPolicyStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }
}

/// <summary>The API group of MeshNet's CRDs.</summary>
public static class CrdGroup
{
    public const string Name = "meshnet.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Name + "/" + Version;
}

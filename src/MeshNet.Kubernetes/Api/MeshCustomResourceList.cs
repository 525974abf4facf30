using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MeshNet.Kubernetes.Api;

/// <summary>The LIST response of a MeshNet CRD: apiVersion, kind, list metadata (resourceVersion, continue) and items.</summary>
internal sealed class MeshCustomResourceList<T> : IKubernetesObject<V1ListMeta>, IItems<T>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<T> Items { get; set; } = [];
}

using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MeshNet.Kubernetes.Crds;

/// <summary>
/// The shape every meshnet.io/v1alpha1 resource shares with the KubernetesClient models (apiVersion, kind, metadata,
/// spec, status), so the same loaders and watchers carry them. The CRD schemas in charts/meshnet/crds are the
/// reference for each spec's fields.
/// </summary>
public abstract class MeshCustomResource<TSpec>(string kind) : IKubernetesObject<V1ObjectMeta>
    where TSpec : class
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = CrdGroup.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = kind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public TSpec? Spec { get; set; }

    [JsonPropertyName("status")]
    public MeshPolicyStatus? Status { get; set; }
}

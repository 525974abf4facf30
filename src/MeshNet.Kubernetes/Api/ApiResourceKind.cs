using k8s;
using k8s.Models;
using MeshNet.Kubernetes.Manifests;

namespace MeshNet.Kubernetes.Api;

/// <summary>One page of a LIST: its objects, the list's resourceVersion and the continue token of the next page.</summary>
internal sealed record ApiListPage(IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Items, string? ResourceVersion, string? Continue);

/// <summary>One event of a WATCH stream; <see cref="Object"/> of a BOOKMARK carries only metadata.resourceVersion.</summary>
internal readonly record struct ApiWatchEvent(WatchEventType Type, IKubernetesObject<V1ObjectMeta> Object);

/// <summary>
/// How one resource type is listed and watched through KubernetesClient, and which manifest kind checks and converts
/// its objects (the same validators and converters as universal mode).
/// </summary>
/// <param name="Resource">The plural resource name, as in the API path and RBAC rules ("pods", "trafficpolicies").</param>
internal sealed record ApiResourceKind(
    string Resource,
    ManifestKind Manifest,
    Func<IKubernetes, string?, CancellationToken, Task<ApiListPage>> List,
    Func<IKubernetes, string, Action<Exception>, CancellationToken, IAsyncEnumerable<ApiWatchEvent>> Watch)
{
    public string Kind => Manifest.Kind;
}

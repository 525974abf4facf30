using k8s;
using k8s.Models;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Api;

/// <summary>Told about every object a watcher reads, after it was validated: how the status writer follows the CRDs.</summary>
/// <remarks>Called from the watchers' loops (one per resource type, concurrently): implementations synchronize.</remarks>
internal interface IApiObjectObserver
{
    /// <param name="resource">The converted object when it is valid, else null and <paramref name="errors"/> say why.</param>
    void Observed(ResourceKey key, IKubernetesObject<V1ObjectMeta> item, MeshResource? resource, IReadOnlyList<ResourceError> errors);

    void Deleted(ResourceKey key);
}

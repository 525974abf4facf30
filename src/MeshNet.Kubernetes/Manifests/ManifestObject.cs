using System.Collections.Immutable;
using k8s;
using k8s.Models;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Manifests;

/// <summary>One accepted manifest document: the typed KubernetesClient object and where it came from.</summary>
/// <param name="Key">Kind, namespace ("default" when the manifest has none; empty for Namespaces) and name.</param>
/// <param name="Resource">
/// A V1Namespace, V1Service, V1Pod, V1EndpointSlice, V1Deployment, V1StatefulSet, V1alpha1TrafficPolicy, V1alpha1TrafficRoute or V1alpha1AuthorizationPolicy,
/// with metadata.namespace filled in.
/// </param>
/// <param name="Canonical">The document as JSON with sorted keys: equal text means equal content, whatever the formatting.</param>
public sealed record ManifestObject(
    string Origin,
    int DocumentIndex,
    ResourceKey Key,
    IKubernetesObject<V1ObjectMeta> Resource,
    string Canonical);

/// <summary>The outcome of one non-empty document: an object, or errors (and the resource's identity when readable).</summary>
public sealed record ManifestDocumentResult(
    int Index,
    ResourceKey? Key,
    ManifestObject? Accepted,
    ImmutableArray<ResourceError> Errors);

/// <summary>The outcome of one file; documents that failed do not stop the others.</summary>
public sealed record ManifestFileResult(string Origin, ImmutableArray<ManifestDocumentResult> Documents)
{
    public IEnumerable<ManifestObject> Objects => Documents.Where(d => d.Accepted is not null).Select(d => d.Accepted!);

    public IEnumerable<ResourceError> Errors => Documents.SelectMany(d => d.Errors);
}

using k8s.Models;

namespace MeshNet.Cli.Local;

/// <summary>What the local runner needs from a manifest directory: Deployments, StatefulSets and Pods to run, Services to expect.</summary>
internal sealed record LocalManifests(
    IReadOnlyList<V1Deployment> Deployments,
    IReadOnlyList<V1Service> Services,
    IReadOnlyList<string> Errors,
    IReadOnlyList<V1Pod>? Pods = null,
    IReadOnlyList<V1StatefulSet>? StatefulSets = null)
{
    public IReadOnlyList<V1Pod> BarePods => Pods ?? [];

    public IReadOnlyList<V1StatefulSet> StatefulSetList => StatefulSets ?? [];

    /// <summary>True when there is no workload at all to run.</summary>
    public bool IsEmpty => Deployments.Count == 0 && BarePods.Count == 0 && StatefulSetList.Count == 0;

    /// <summary>Services whose endpoints come from pods (not ExternalName, not selector-less).</summary>
    public IEnumerable<V1Service> SelectorServices =>
        Services.Where(s => s.Spec?.Selector is { Count: > 0 } && s.Spec.Type != "ExternalName");
}

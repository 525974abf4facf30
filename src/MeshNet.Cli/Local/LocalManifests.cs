using k8s.Models;

namespace MeshNet.Cli.Local;

/// <summary>What the local runner needs from a manifest directory: Deployments and Pods to run, Services to expect.</summary>
internal sealed record LocalManifests(
    IReadOnlyList<V1Deployment> Deployments,
    IReadOnlyList<V1Service> Services,
    IReadOnlyList<string> Errors,
    IReadOnlyList<V1Pod>? Pods = null)
{
    public IReadOnlyList<V1Pod> BarePods => Pods ?? [];

    /// <summary>Services whose endpoints come from pods (not ExternalName, not selector-less).</summary>
    public IEnumerable<V1Service> SelectorServices =>
        Services.Where(s => s.Spec?.Selector is { Count: > 0 } && s.Spec.Type != "ExternalName");
}

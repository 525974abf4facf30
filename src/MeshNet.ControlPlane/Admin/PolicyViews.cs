using System.Globalization;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Model.Traffic;

namespace MeshNet.ControlPlane.Admin;

/// <summary>
/// /debug/policies entry: one TrafficPolicy or TrafficRoute as the sources last gave it. <see cref="Accepted"/> and
/// <see cref="Error"/> are about that version; <see cref="Clusters"/> about the version in force, which after a
/// rejected update is the last accepted one.
/// </summary>
/// <param name="Target">The target Service's name, with ":port" when the resource targets one port.</param>
/// <param name="Error">"field: message", or null when accepted.</param>
internal sealed record PolicyStatusView(
    string Kind, string Namespace, string Name, string Target, bool Accepted, string? Error, IReadOnlyList<string> Clusters)
{
    public static IEnumerable<PolicyStatusView> List(MeshIndex index, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(index);
        foreach (var (key, resource) in index.Snapshot.Traffic.OrderBy(p => p.Key, ResourceKey.Ordinal))
        {
            var target = resource is TrafficPolicy policy ? policy.Target : ((TrafficRoute)resource).Target;
            var error = index.Traffic.ErrorOf(key);
            yield return new PolicyStatusView(
                key.Kind,
                key.Namespace,
                key.Name,
                target.Port is { } port ? string.Create(CultureInfo.InvariantCulture, $"{target.Name}:{port}") : target.Name,
                error is null,
                error is null ? null : string.IsNullOrEmpty(error.Field) ? error.Message : $"{error.Field}: {error.Message}",
                TrafficShaping.ClustersShapedBy(index, key, clusterDomain));
        }
    }
}

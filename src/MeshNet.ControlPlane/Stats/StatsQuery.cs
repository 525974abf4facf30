using MeshNet.ControlPlane.Discovery;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Stats;

/// <summary>Answers /debug/stat and /debug/edges from the scrapes in the <see cref="StatsStore"/> and the current mesh.</summary>
internal sealed class StatsQuery(StatsStore store, ProxySnapshotCache cache, TimeProvider time)
{
    /// <summary>
    /// Every Service of the mesh (filtered by namespace and name when given), plus any Service the sidecars routed
    /// to that the mesh no longer has, with the window's golden metrics; a Service nobody called has zero requests.
    /// </summary>
    public IReadOnlyList<StatView> Stat(string? ns, string? service, TimeSpan window)
    {
        var traffic = TrafficAggregator.Aggregate(store.Increases(time.GetUtcNow(), window), TrafficAggregator.ServiceOf);
        var meshed = new Dictionary<ServiceKey, int>();
        foreach (var view in cache.Index.Services.Values)
        {
            var key = new ServiceKey(view.Service.Namespace, view.Service.Name);
            meshed[key] = view.Ports.SelectMany(p => p.Endpoints).Where(e => e.Meshed).Select(e => e.Workload).Distinct(StringComparer.Ordinal).Count();
        }

        return [.. meshed.Keys.Union(traffic.Keys)
            .Where(k => (ns is null || string.Equals(k.Namespace, ns, StringComparison.Ordinal)) &&
                (service is null || string.Equals(k.Service, service, StringComparison.Ordinal)))
            .OrderBy(k => k.Namespace, StringComparer.Ordinal)
            .ThenBy(k => k.Service, StringComparer.Ordinal)
            .Select(k =>
            {
                var golden = (traffic.GetValueOrDefault(k) ?? new TrafficTotals()).ToGoldenMetrics();
                return new StatView(
                    k.Namespace,
                    k.Service,
                    meshed.GetValueOrDefault(k),
                    golden.Requests,
                    golden.SuccessRate,
                    golden.Rps,
                    new LatencyView(golden.P50Ms, golden.P95Ms, golden.P99Ms),
                    golden.MtlsShare);
            })];
    }

    /// <summary>Every source workload → Service pair that carried at least one request in the window.</summary>
    public IReadOnlyList<EdgeView> Edges(TimeSpan window)
    {
        var traffic = TrafficAggregator.Aggregate(store.Increases(time.GetUtcNow(), window), TrafficAggregator.EdgeOf);
        return [.. traffic
            .Select(e => (Key: e.Key, Golden: e.Value.ToGoldenMetrics()))
            .Where(e => e.Golden.Requests > 0)
            .OrderBy(e => MeshNames.NamespacedName(e.Key.SourceNamespace, e.Key.SourceWorkload), StringComparer.Ordinal)
            .ThenBy(e => MeshNames.NamespacedName(e.Key.Destination.Namespace, e.Key.Destination.Service), StringComparer.Ordinal)
            .Select(e => new EdgeView(
                new EdgeSourceView(e.Key.SourceNamespace, e.Key.SourceWorkload),
                new EdgeDestinationView(e.Key.Destination.Namespace, e.Key.Destination.Service),
                e.Golden.Requests,
                e.Golden.Rps,
                e.Golden.SuccessRate,
                e.Golden.P99Ms,
                e.Golden.MtlsShare))];
    }
}

using MeshNet.ControlPlane.Discovery;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Stats;

/// <summary>Answers /debug/stat, /debug/stat/history and /debug/edges from the scrapes in the <see cref="StatsStore"/> and the current mesh.</summary>
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

    /// <summary>
    /// The Service's golden metrics per step over the window, each step computed as <see cref="Stat"/> computes a
    /// window ending at the step's end. Steps are aligned to multiples of the step since the Unix epoch and only
    /// steps that are over are answered, so a point once answered keeps its time and value (until it ages out), and
    /// a client can append the points of a later query after the last one it has. Null when the mesh has no such
    /// Service and no sidecar routed to it during the window.
    /// </summary>
    public StatHistoryView? History(StatHistoryParameters query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var now = time.GetUtcNow();
        var step = query.Step;
        var end = new DateTimeOffset(now.UtcTicks - ((now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % step.Ticks), TimeSpan.Zero);
        var count = (int)Math.Max(1, query.Window.Ticks / step.Ticks);
        var wanted = query.Service;
        var source = query.Source;
        // Only the wanted Service (and caller) is aggregated: the other groups would be computed and thrown away.
        ServiceKey? KeyOf(LabelSet labels) =>
            TrafficAggregator.EdgeOf(labels) is { } edge && edge.Destination == wanted &&
            (source is null || new EdgeSource(edge.SourceNamespace, edge.SourceWorkload) == source)
                ? wanted
                : null;

        var points = new List<StatPointView>(count);
        var routed = false;
        for (var i = count - 1; i >= 0; i--)
        {
            var at = end - (step * i);
            var increases = store.Increases(at, step);
            var golden = (TrafficAggregator.Aggregate(increases, KeyOf).GetValueOrDefault(wanted) ?? new TrafficTotals()).ToGoldenMetrics();
            routed |= golden.Requests > 0;
            points.Add(new StatPointView(
                at,
                golden.Requests,
                increases.Count == 0 ? null : golden.Rps,
                golden.SuccessRate,
                new LatencyView(golden.P50Ms, golden.P95Ms, golden.P99Ms),
                golden.MtlsShare));
        }

        if (!routed && !cache.Index.Services.ContainsKey(new ResourceKey(ResourceKinds.Service, wanted.Namespace, wanted.Service)))
        {
            return null;
        }

        return new StatHistoryView(
            wanted.Namespace,
            wanted.Service,
            source is { } from ? new EdgeSourceView(from.Namespace, from.Workload) : null,
            (step * count).TotalSeconds,
            step.TotalSeconds,
            points);
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

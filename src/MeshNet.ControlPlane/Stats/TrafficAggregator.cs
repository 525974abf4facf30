namespace MeshNet.ControlPlane.Stats;

/// <summary>Groups every sidecar's counter increases over a window into <see cref="TrafficTotals"/>.</summary>
internal static class TrafficAggregator
{
    /// <param name="keyOf">The group a series belongs to, or null to leave it out (e.g. requests that found no route).</param>
    public static Dictionary<TKey, TrafficTotals> Aggregate<TKey>(IEnumerable<CounterIncrease> sidecars, Func<LabelSet, TKey?> keyOf)
        where TKey : struct
    {
        ArgumentNullException.ThrowIfNull(sidecars);
        ArgumentNullException.ThrowIfNull(keyOf);
        var groups = new Dictionary<TKey, TrafficTotals>();
        foreach (var sidecar in sidecars)
        {
            foreach (var (id, increase) in sidecar.Increases)
            {
                if (keyOf(id.Labels) is not { } key)
                {
                    continue;
                }

                if (string.Equals(id.Name, SidecarMetricNames.Requests, StringComparison.Ordinal))
                {
                    Totals(groups, key).AddRequests(id.Labels, increase, sidecar.Span);
                }
                else if (string.Equals(id.Name, SidecarMetricNames.DurationBucket, StringComparison.Ordinal) &&
                    HistogramQuantile.ParseBound(id.Labels[SidecarMetricNames.UpperBound]) is { } bound)
                {
                    Totals(groups, key).AddBucket(bound, increase);
                }
            }
        }

        return groups;
    }

    /// <summary>The Service a request was routed to; null when it found no route.</summary>
    public static ServiceKey? ServiceOf(LabelSet labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var service = labels[SidecarMetricNames.DestinationService];
        return service.Length == 0 ? null : new ServiceKey(labels[SidecarMetricNames.DestinationNamespace], service);
    }

    /// <summary>Who called which Service; null when the request found no route.</summary>
    public static EdgeKey? EdgeOf(LabelSet labels) =>
        ServiceOf(labels) is { } destination
            ? new EdgeKey(labels[SidecarMetricNames.SourceNamespace], labels[SidecarMetricNames.SourceWorkload], destination)
            : null;

    private static TrafficTotals Totals<TKey>(Dictionary<TKey, TrafficTotals> groups, TKey key)
        where TKey : struct
    {
        if (!groups.TryGetValue(key, out var totals))
        {
            totals = new TrafficTotals();
            groups[key] = totals;
        }

        return totals;
    }
}

internal readonly record struct ServiceKey(string Namespace, string Service);

internal readonly record struct EdgeKey(string SourceNamespace, string SourceWorkload, ServiceKey Destination);

namespace MeshNet.ControlPlane.Stats;

/// <summary>How much each counter grew over a run of scrapes of one sidecar, and over how long.</summary>
/// <param name="Span">From the first scrape (the baseline) to the last; zero with fewer than two scrapes.</param>
internal sealed record CounterIncrease(TimeSpan Span, IReadOnlyDictionary<SeriesId, double> Increases)
{
    public static CounterIncrease None { get; } = new(TimeSpan.Zero, new Dictionary<SeriesId, double>());

    /// <summary>
    /// Sums the growth between consecutive scrapes, as Prometheus' increase() does without its extrapolation: a
    /// value lower than the one before means the counter was reset (the sidecar restarted), so the new value is
    /// all growth since. A series missing from a scrape had not been created yet (or vanished with a restart) and
    /// counts as 0, so traffic that creates a series after the baseline is counted from its first request.
    /// </summary>
    public static CounterIncrease Over(IReadOnlyList<Scrape> scrapes)
    {
        ArgumentNullException.ThrowIfNull(scrapes);
        if (scrapes.Count < 2)
        {
            return None;
        }

        var ids = new HashSet<SeriesId>();
        for (var i = 1; i < scrapes.Count; i++)
        {
            ids.UnionWith(scrapes[i].Series.Keys);
        }

        var increases = new Dictionary<SeriesId, double>(ids.Count);
        foreach (var id in ids)
        {
            var previous = scrapes[0].Series.GetValueOrDefault(id);
            var total = 0.0;
            for (var i = 1; i < scrapes.Count; i++)
            {
                var current = scrapes[i].Series.GetValueOrDefault(id);
                total += current >= previous ? current - previous : current;
                previous = current;
            }

            // Zero increases are kept: histogram_quantile needs every bucket, also the ones nothing fell into.
            increases[id] = total;
        }

        return new CounterIncrease(scrapes[^1].At - scrapes[0].At, increases);
    }
}

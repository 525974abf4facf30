using System.Collections.Concurrent;

namespace MeshNet.ControlPlane.Stats;

/// <summary>
/// Recent scrapes of every sidecar by "namespace/name". A sidecar that went away keeps its history until it ages
/// out: the requests it sent still belong to the windows they happened in.
/// </summary>
internal sealed class StatsStore
{
    private readonly ConcurrentDictionary<string, ScrapeHistory> _sidecars = new(StringComparer.Ordinal);

    /// <summary>Called by the collector only, as is <see cref="Prune"/>: a history emptied by pruning is not written to meanwhile.</summary>
    public void Record(string sidecar, DateTimeOffset at, IEnumerable<MetricSample> samples) =>
        _sidecars.GetOrAdd(sidecar, static _ => new ScrapeHistory()).Add(at, samples);

    public void Prune(DateTimeOffset cutoff)
    {
        foreach (var (sidecar, history) in _sidecars)
        {
            if (!history.Prune(cutoff))
            {
                _sidecars.TryRemove(new KeyValuePair<string, ScrapeHistory>(sidecar, history));
            }
        }
    }

    /// <summary>Every sidecar's counter increases over the window (now - window, now].</summary>
    public IReadOnlyList<CounterIncrease> Increases(DateTimeOffset now, TimeSpan window) =>
        [.. _sidecars.Values.Select(h => CounterIncrease.Over(h.Window(now, window))).Where(i => i.Span > TimeSpan.Zero)];
}

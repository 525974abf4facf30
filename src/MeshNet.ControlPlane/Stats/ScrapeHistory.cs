namespace MeshNet.ControlPlane.Stats;

/// <summary>One successful scrape of one sidecar: when, and the values of the series the aggregator keeps.</summary>
internal sealed record Scrape(DateTimeOffset At, IReadOnlyDictionary<SeriesId, double> Series);

/// <summary>
/// The scrapes of one sidecar, oldest first, kept for the retention period. Appended by the collector, read by
/// queries: every member takes the lock, and readers get a copy.
/// </summary>
internal sealed class ScrapeHistory
{
    private readonly Lock _lock = new();
    private readonly List<Scrape> _scrapes = [];
    // Every scrape parses fresh label strings; keeping one instance per series makes 15 minutes of scrapes cost one
    // dictionary entry per series and scrape instead of a copy of every label. Bounded by the sidecar's series count.
    private readonly Dictionary<SeriesId, SeriesId> _series = [];

    /// <summary>Records a scrape's samples, sharing each series' identity with the earlier scrapes.</summary>
    public void Add(DateTimeOffset at, IEnumerable<MetricSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var values = new Dictionary<SeriesId, double>();
        lock (_lock)
        {
            foreach (var sample in samples)
            {
                var id = new SeriesId(sample.Name, sample.Labels);
                if (!_series.TryGetValue(id, out var shared))
                {
                    _series[id] = shared = id;
                }

                values[shared] = sample.Value;
            }
        }

        Add(new Scrape(at, values));
    }

    public void Add(Scrape scrape)
    {
        ArgumentNullException.ThrowIfNull(scrape);
        lock (_lock)
        {
            // Clocks may be adjusted; an out-of-order scrape would make the window arithmetic lie, so it replaces the tail.
            while (_scrapes.Count > 0 && _scrapes[^1].At >= scrape.At)
            {
                _scrapes.RemoveAt(_scrapes.Count - 1);
            }

            _scrapes.Add(scrape);
        }
    }

    /// <summary>Drops scrapes older than <paramref name="cutoff"/>; returns whether any is left.</summary>
    public bool Prune(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            var old = _scrapes.FindIndex(s => s.At >= cutoff);
            _scrapes.RemoveRange(0, old < 0 ? _scrapes.Count : old);
            return _scrapes.Count > 0;
        }
    }

    /// <summary>
    /// The scrapes a window (now - window, now] is computed from: every scrape inside it, preceded by the newest
    /// scrape at or before its start as the baseline. Without such a baseline (the sidecar was first seen inside the
    /// window) the oldest scrape inside serves as one, so what happened before it is not counted.
    /// </summary>
    public IReadOnlyList<Scrape> Window(DateTimeOffset now, TimeSpan window)
    {
        var start = now - window;
        lock (_lock)
        {
            var first = _scrapes.FindIndex(s => s.At > start);
            if (first < 0)
            {
                return [];
            }

            var from = first > 0 ? first - 1 : first;
            var last = _scrapes.FindLastIndex(s => s.At <= now);
            return last < from ? [] : _scrapes.GetRange(from, last - from + 1);
        }
    }
}

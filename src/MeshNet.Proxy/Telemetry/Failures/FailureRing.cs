namespace MeshNet.Proxy.Telemetry.Failures;

/// <summary>
/// The last <see cref="Capacity"/> failed requests of this sidecar, oldest overwritten first. Written only on the
/// failure path (one entry per request, whatever ids it carries, so no request can push out more than one other),
/// read by the admin listener. A lock is enough: successes never come here, and a write is one array store.
/// </summary>
internal sealed class FailureRing
{
    /// <summary>1,000 entries of well under 1 KiB each (strings are capped) keep at most about 1 MiB alive.</summary>
    public const int DefaultCapacity = 1000;

    private readonly FailedRequest?[] _entries;
    private readonly Lock _lock = new();
    private long _recorded;

    public FailureRing()
        : this(DefaultCapacity)
    {
    }

    public FailureRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _entries = new FailedRequest?[capacity];
    }

    public int Capacity => _entries.Length;

    /// <summary>Failures recorded since start, including the ones already overwritten.</summary>
    public long Recorded
    {
        get
        {
            lock (_lock)
            {
                return _recorded;
            }
        }
    }

    public void Add(FailedRequest entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            _entries[_recorded % _entries.Length] = entry;
            _recorded++;
        }
    }

    /// <summary>Every kept entry, newest first.</summary>
    public IReadOnlyList<FailedRequest> Newest() => Select(null);

    /// <summary>The kept entries whose request id or trace id is <paramref name="id"/>, newest first.</summary>
    public IReadOnlyList<FailedRequest> Find(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return RequestIds.IsValidId(id) ? Select(id) : [];
    }

    private List<FailedRequest> Select(string? id)
    {
        var found = new List<FailedRequest>();
        lock (_lock)
        {
            var kept = (int)Math.Min(_recorded, _entries.Length);
            for (var i = 1; i <= kept; i++)
            {
                var entry = _entries[(_recorded - i) % _entries.Length]!;
                if (id is null || entry.Matches(id))
                {
                    found.Add(entry);
                }
            }
        }

        return found;
    }
}

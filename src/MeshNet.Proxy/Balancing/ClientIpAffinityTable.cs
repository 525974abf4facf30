using System.Collections.Concurrent;
using System.Net;

namespace MeshNet.Proxy.Balancing;

/// <summary>
/// Session affinity by client IP (a Service's sessionAffinity: ClientIP): client → destination id, kept while the
/// client keeps sending within the timeout (sliding, like kube-proxy's "recent" match). Bounded: when full, a new
/// client is balanced normally and not remembered until expired entries are swept.
/// </summary>
internal sealed class ClientIpAffinityTable(TimeProvider time, int capacity)
{
    /// <summary>65,536 clients (~10 MiB at most): far more distinct callers than one sidecar's app has.</summary>
    public const int DefaultCapacity = 1 << 16;

    /// <summary>Expired entries are swept at most this often (and when the table is full, at most once a second).</summary>
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FullSweepInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<IPAddress, Entry> _entries = new();
    private long _timeoutTicks = TimeSpan.FromHours(3).Ticks;
    private long _lastSweep = time.GetTimestamp();
    private int _count;

    /// <summary>Idle time after which a client's choice is forgotten (the Service's timeoutSeconds).</summary>
    public TimeSpan Timeout
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _timeoutTicks));
        set => Volatile.Write(ref _timeoutTicks, value.Ticks);
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>The destination remembered for <paramref name="client"/>, refreshing its timeout; null when none or expired.</summary>
    public string? Lookup(IPAddress client)
    {
        var now = time.GetTimestamp();
        SweepIfDue(now);
        if (!_entries.TryGetValue(client, out var entry))
        {
            return null;
        }

        if (IsExpired(entry, now))
        {
            return null;
        }

        Volatile.Write(ref entry.LastSeen, now);
        return entry.DestinationId;
    }

    /// <summary>Remembers (or replaces) the client's destination.</summary>
    public void Remember(IPAddress client, string destinationId)
    {
        var now = time.GetTimestamp();
        if (_entries.TryGetValue(client, out var existing))
        {
            if (string.Equals(existing.DestinationId, destinationId, StringComparison.Ordinal))
            {
                Volatile.Write(ref existing.LastSeen, now);
                return;
            }

            _entries[client] = new Entry(destinationId, now);
            return;
        }

        if (Count >= capacity)
        {
            Sweep(now, FullSweepInterval);
            if (Count >= capacity)
            {
                return;
            }
        }

        if (_entries.TryAdd(client, new Entry(destinationId, now)))
        {
            Interlocked.Increment(ref _count);
        }
    }

    private bool IsExpired(Entry entry, long now) =>
        time.GetElapsedTime(Volatile.Read(ref entry.LastSeen), now) > Timeout;

    private void SweepIfDue(long now)
    {
        var interval = Timeout < SweepInterval ? Timeout : SweepInterval;
        Sweep(now, interval);
    }

    /// <summary>Removes expired entries, by one thread at a time and at most once per <paramref name="interval"/>.</summary>
    private void Sweep(long now, TimeSpan interval)
    {
        var last = Volatile.Read(ref _lastSweep);
        if (time.GetElapsedTime(last, now) < interval || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }

        foreach (var (client, entry) in _entries)
        {
            if (IsExpired(entry, now) && _entries.TryRemove(new KeyValuePair<IPAddress, Entry>(client, entry)))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }

    private sealed class Entry(string destinationId, long lastSeen)
    {
        public readonly string DestinationId = destinationId;
        public long LastSeen = lastSeen;
    }
}

using System.Net;

namespace MeshNet.Proxy.Balancing;

/// <summary>
/// The balancing state of one cluster that outlives route tables: per-destination statistics, the round-robin
/// position, the hash ring and the client-IP affinity table. Route tables are rebuilt on every accepted
/// configuration (an endpoint change, a weight change); rebuilding must not forget latencies and in-flight counts.
/// </summary>
/// <remarks>
/// Locking: <see cref="StatsFor"/>, <see cref="Retain"/>, <see cref="RingFor"/> and <see cref="AffinityFor"/> are
/// called while a route table is built (one build at a time, but tests build from several threads), so they take
/// <c>_gate</c>; the request path only touches the returned objects and the round-robin counter.
/// </remarks>
internal sealed class ClusterBalancing(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DestinationStats> _stats = new(StringComparer.Ordinal);
    private HashRing? _ring;
    private ClientIpAffinityTable? _affinity;
    private uint _roundRobin;

    public TimeProvider Time => time;

    /// <summary>The next round-robin position (wraps at 2^32).</summary>
    public uint NextRoundRobin() => Interlocked.Increment(ref _roundRobin);

    public DestinationStats StatsFor(string destinationId)
    {
        lock (_gate)
        {
            if (!_stats.TryGetValue(destinationId, out var stats))
            {
                stats = new DestinationStats(time);
                _stats[destinationId] = stats;
            }

            return stats;
        }
    }

    /// <summary>Drops the statistics of destinations that left the cluster (a returning one starts fresh).</summary>
    public void Retain(IReadOnlySet<string> destinationIds)
    {
        lock (_gate)
        {
            foreach (var id in _stats.Keys.Where(id => !destinationIds.Contains(id)).ToList())
            {
                _stats.Remove(id);
            }
        }
    }

    /// <summary>The ring for exactly these destination ids in this order: reused while they do not change.</summary>
    public HashRing RingFor(IReadOnlyList<string> destinationIds)
    {
        lock (_gate)
        {
            if (_ring is null || !_ring.IsFor(destinationIds))
            {
                _ring = HashRing.Build(destinationIds);
            }

            return _ring;
        }
    }

    /// <summary>The affinity table with its timeout set to <paramref name="timeout"/>, or null (and forgotten) when off.</summary>
    public ClientIpAffinityTable? AffinityFor(TimeSpan? timeout)
    {
        lock (_gate)
        {
            if (timeout is not { } value)
            {
                _affinity = null;
                return null;
            }

            _affinity ??= new ClientIpAffinityTable(time, ClientIpAffinityTable.DefaultCapacity);
            _affinity.Timeout = value;
            return _affinity;
        }
    }

    /// <summary>The client IP the affinity table is keyed by, IPv4-mapped addresses as IPv4.</summary>
    public static IPAddress? ClientAddress(IPAddress? remote) =>
        remote is { IsIPv4MappedToIPv6: true } ? remote.MapToIPv4() : remote;
}

/// <summary>Balancing state per cluster name, for the life of the sidecar.</summary>
internal sealed class BalancingRegistry(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ClusterBalancing> _clusters = new(StringComparer.Ordinal);

    public TimeProvider Time => time;

    public ClusterBalancing For(string clusterName)
    {
        lock (_gate)
        {
            if (!_clusters.TryGetValue(clusterName, out var state))
            {
                state = new ClusterBalancing(time);
                _clusters[clusterName] = state;
            }

            return state;
        }
    }

    /// <summary>Forgets clusters that are no longer configured.</summary>
    public void Retain(IReadOnlySet<string> clusterNames)
    {
        lock (_gate)
        {
            foreach (var name in _clusters.Keys.Where(n => !clusterNames.Contains(n)).ToList())
            {
                _clusters.Remove(name);
            }
        }
    }
}

using System.Collections.Concurrent;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Resilience;

/// <summary>
/// Per-cluster resilience state (circuit-breaker counters, retry budget, outlier detection) keyed by cluster name,
/// so it outlives configuration updates: a new snapshot with the same cluster keeps its ejections and budgets.
/// </summary>
internal sealed class ResilienceRegistry
{
    private readonly ConcurrentDictionary<string, ClusterResilience> _clusters = new(StringComparer.Ordinal);

    /// <summary>The state for <paramref name="cluster"/>, created on first use; its policy follows the newest snapshot.</summary>
    public ClusterResilience For(Proto.Cluster cluster)
    {
        var state = _clusters.GetOrAdd(cluster.Name, static (_, c) => new ClusterResilience(c), cluster);
        state.Policy = cluster;
        return state;
    }
}

/// <summary>Resilience state and policy of one cluster.</summary>
internal sealed class ClusterResilience(Proto.Cluster policy)
{
    private readonly ConcurrentDictionary<string, bool> _ejected = new(StringComparer.Ordinal);

    public Proto.Cluster Policy { get; set; } = policy;

    /// <summary>Whether outlier detection has currently ejected the destination ("address:port").</summary>
    public bool IsEjected(string destinationId) => _ejected.ContainsKey(destinationId);
}

using System.Collections.Concurrent;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Resilience;

/// <summary>
/// Per-cluster resilience state (circuit-breaker counters, retry budget, outlier detection, stats) keyed by cluster
/// name, so it outlives configuration updates: a new snapshot with the same cluster keeps its ejections and budgets.
/// </summary>
internal sealed class ResilienceRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ClusterResilience> _clusters = new(StringComparer.Ordinal);

    public ResilienceRegistry()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Every cluster seen since start, by name (a removed cluster keeps its counters).</summary>
    public IEnumerable<ClusterResilience> Clusters => _clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal);

    /// <summary>The state for <paramref name="cluster"/>, created on first use; its policy follows the newest snapshot.</summary>
    public ClusterResilience For(Proto.Cluster cluster)
    {
        var state = _clusters.GetOrAdd(cluster.Name, static (_, arg) => new ClusterResilience(arg.cluster, arg.time), (cluster, time));
        state.Policy = cluster;
        return state;
    }
}

/// <summary>Resilience state and policy of one cluster.</summary>
internal sealed class ClusterResilience
{
    private Proto.Cluster _policy;
    private ResiliencePolicy _settings;

    public ClusterResilience(Proto.Cluster policy)
        : this(policy, TimeProvider.System)
    {
    }

    public ClusterResilience(Proto.Cluster policy, TimeProvider time)
    {
        Name = policy.Name;
        Budget = new RetryBudget(time);
        Outliers = new OutlierDetector(time);
        _policy = policy;
        _settings = ResiliencePolicy.From(policy);
    }

    public string Name { get; }

    /// <summary>The newest proto cluster; setting it recompiles <see cref="Settings"/> and forgets departed destinations.</summary>
    public Proto.Cluster Policy
    {
        get => Volatile.Read(ref _policy);
        set
        {
            if (ReferenceEquals(value, Volatile.Read(ref _policy)))
            {
                return;
            }

            Volatile.Write(ref _settings, ResiliencePolicy.From(value));
            Volatile.Write(ref _policy, value);
            Outliers.Retain(value.Endpoints.Select(Configuration.YarpClusterTranslator.DestinationId).ToHashSet(StringComparer.Ordinal));
        }
    }

    /// <summary>The policy compiled for the request path.</summary>
    public ResiliencePolicy Settings => Volatile.Read(ref _settings);

    /// <summary>How many destinations the cluster has now (the base of max_ejection_percent).</summary>
    public int DestinationCount => Policy.Endpoints.Count;

    public CircuitBreaker Breaker { get; } = new();

    public RetryBudget Budget { get; }

    public OutlierDetector Outliers { get; }

    public ClusterStats Stats { get; } = new();

    /// <summary>Whether outlier detection has currently ejected the destination ("address:port").</summary>
    public bool IsEjected(string destinationId) => Outliers.IsEjected(destinationId);

    /// <summary>Feeds an attempt's outcome to outlier detection and the stats.</summary>
    public void Record(string destinationId, AttemptOutcome outcome)
    {
        if (!outcome.IsSuccess())
        {
            Stats.CountUpstreamFailure();
        }

        if (Outliers.Record(destinationId, outcome, Settings.Outliers, DestinationCount))
        {
            Stats.CountEjection();
        }
    }
}

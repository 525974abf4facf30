using System.Collections.Frozen;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Resilience;

/// <summary>Which failures a retry policy retries (the proto's <c>retry_on</c> names).</summary>
[Flags]
internal enum RetryConditions
{
    None = 0,
    ConnectFailure = 1,
    Reset = 2,
    GatewayError = 4,
    ServerError = 8,
    RetriableStatusCodes = 16,
}

/// <summary>
/// A cluster's retry, timeout, circuit-breaker and outlier settings, read once from the proto when a snapshot
/// arrives so the request path never parses strings or durations. The control plane sends effective values, so a
/// field at zero means what the proto says it means (no limit, no retries, check disabled), never "use a default".
/// </summary>
internal sealed class ResiliencePolicy
{
    private ResiliencePolicy()
    {
    }

    public static ResiliencePolicy Empty { get; } = From(new Proto.Cluster());

    public int Attempts { get; private init; }

    public RetryConditions RetryOn { get; private init; }

    public FrozenSet<int> RetriableStatuses { get; private init; } = FrozenSet<int>.Empty;

    public uint BudgetPercent { get; private init; }

    public uint BudgetMinPerSecond { get; private init; }

    public TimeSpan BackoffBase { get; private init; }

    public TimeSpan BackoffMax { get; private init; }

    public bool RetryNonIdempotent { get; private init; }

    public long MaxReplayBodyBytes { get; private init; }

    /// <summary>The whole exchange, retries and backoff included; null: unbounded.</summary>
    public TimeSpan? RequestTimeout { get; private init; }

    public TimeSpan? PerTryTimeout { get; private init; }

    /// <summary>Silence allowed on a request in flight (YARP's activity timeout); null: the sidecar's transport default.</summary>
    public TimeSpan? IdleTimeout { get; private init; }

    public uint MaxConnections { get; private init; }

    public uint MaxPendingRequests { get; private init; }

    public uint MaxRequests { get; private init; }

    public uint MaxRetries { get; private init; }

    /// <summary>Null when outlier detection is off.</summary>
    public OutlierPolicy? Outliers { get; private init; }

    /// <summary>True when some response status may be retried, so responses must be inspected before they are sent.</summary>
    public bool RetriesOnStatus => Attempts > 0 && (RetryOn & (RetryConditions.GatewayError | RetryConditions.ServerError | RetryConditions.RetriableStatusCodes)) != 0;

    public static ResiliencePolicy From(Proto.Cluster cluster)
    {
        var retries = cluster.Retries ?? new Proto.RetryPolicy();
        var timeouts = cluster.Timeouts ?? new Proto.Timeouts();
        var breaker = cluster.CircuitBreaker ?? new Proto.CircuitBreaker();
        var backoffBase = Duration(retries.BackoffBase) ?? TimeSpan.Zero;
        return new ResiliencePolicy
        {
            Attempts = (int)Math.Min(retries.Attempts, 100),
            RetryOn = Conditions(retries.RetryOn),
            RetriableStatuses = retries.StatusCodes.Select(s => (int)s).ToFrozenSet(),
            BudgetPercent = retries.BudgetPercent,
            BudgetMinPerSecond = retries.BudgetMinPerSecond,
            BackoffBase = backoffBase,
            // A maximum below the base would make the first delay the longest; the base wins.
            BackoffMax = Max(Duration(retries.BackoffMax) ?? backoffBase, backoffBase),
            RetryNonIdempotent = retries.NonIdempotent,
            MaxReplayBodyBytes = retries.MaxReplayBodyBytes,
            RequestTimeout = Positive(Duration(timeouts.Request)),
            PerTryTimeout = Positive(Duration(timeouts.PerTry)),
            IdleTimeout = Positive(Duration(timeouts.Idle)),
            MaxConnections = breaker.MaxConnections,
            MaxPendingRequests = breaker.MaxPendingRequests,
            MaxRequests = breaker.MaxRequests,
            MaxRetries = breaker.MaxRetries,
            Outliers = OutlierPolicy.From(cluster.OutlierDetection),
        };
    }

    /// <summary>Whether an upstream response with <paramref name="status"/> is a failure the policy retries.</summary>
    public bool IsRetriableStatus(int status) =>
        ((RetryOn & RetryConditions.ServerError) != 0 && status >= 500)
        || ((RetryOn & RetryConditions.GatewayError) != 0 && status is 502 or 503 or 504)
        || ((RetryOn & RetryConditions.RetriableStatusCodes) != 0 && RetriableStatuses.Contains(status));

    /// <summary>
    /// Whether a failure without a response is retried. As in Envoy, "5xx" and "gateway-error" include the
    /// connection-level failures the proxy would answer with 503, and "reset" includes a refused connection.
    /// </summary>
    public bool IsRetriable(AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.ConnectFailure => (RetryOn & (RetryConditions.ConnectFailure | RetryConditions.Reset | RetryConditions.GatewayError | RetryConditions.ServerError)) != 0,
        AttemptOutcome.Reset => (RetryOn & (RetryConditions.Reset | RetryConditions.GatewayError | RetryConditions.ServerError)) != 0,
        // A per-try timeout exists to be retried (proto: "the attempt fails as a timeout and may be retried").
        AttemptOutcome.Timeout => true,
        _ => false,
    };

    private static RetryConditions Conditions(IEnumerable<string> names)
    {
        var conditions = RetryConditions.None;
        foreach (var name in names)
        {
            conditions |= name switch
            {
                "connect-failure" => RetryConditions.ConnectFailure,
                "reset" => RetryConditions.Reset,
                "gateway-error" => RetryConditions.GatewayError,
                "5xx" => RetryConditions.ServerError,
                "retriable-status-codes" => RetryConditions.RetriableStatusCodes,
                // The control plane validates names; one it added later is ignored rather than failing requests.
                _ => RetryConditions.None,
            };
        }

        return conditions;
    }

    internal static TimeSpan? Duration(Google.Protobuf.WellKnownTypes.Duration? duration) =>
        duration is null ? null : duration.ToTimeSpan();

    private static TimeSpan? Positive(TimeSpan? value) => value > TimeSpan.Zero ? value : null;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>Outlier detection settings of a cluster.</summary>
internal sealed record OutlierPolicy(uint Consecutive5xx, uint ConsecutiveGatewayErrors, TimeSpan Interval, TimeSpan BaseEjectionTime, uint MaxEjectionPercent)
{
    // Envoy's default max_ejection_time: repeat offenders double up to here (or to the base, if that is longer).
    private static readonly TimeSpan MaxEjectionTime = TimeSpan.FromMinutes(5);

    public static OutlierPolicy? From(Proto.OutlierDetection? detection)
    {
        if (detection is null || (detection.Consecutive5Xx == 0 && detection.ConsecutiveGatewayErrors == 0))
        {
            return null;
        }

        return new OutlierPolicy(
            detection.Consecutive5Xx,
            detection.ConsecutiveGatewayErrors,
            ResiliencePolicy.Duration(detection.Interval) ?? TimeSpan.Zero,
            ResiliencePolicy.Duration(detection.BaseEjectionTime) ?? TimeSpan.Zero,
            Math.Min(detection.MaxEjectionPercent, 100));
    }

    /// <summary>base × 2^(earlier ejections), capped at max(5 min, base).</summary>
    public TimeSpan EjectionTime(int earlierEjections)
    {
        var cap = BaseEjectionTime > MaxEjectionTime ? BaseEjectionTime : MaxEjectionTime;
        var ticks = BaseEjectionTime.Ticks;
        for (var i = 0; i < earlierEjections && ticks < cap.Ticks; i++)
        {
            ticks *= 2;
        }

        return TimeSpan.FromTicks(Math.Min(ticks, cap.Ticks));
    }
}

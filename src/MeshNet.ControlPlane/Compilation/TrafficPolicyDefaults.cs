using MeshNet.Model.Traffic;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// MeshNet's traffic-policy defaults: what every cluster carries when no TrafficPolicy sets a field. The sidecar has
/// no defaults of its own, so this class is the one place they live (documented in docs/traffic-policy.md).
/// <para>
/// The choices fix what the defaults of other meshes get wrong: retries are on, but only where they are safe
/// (connection failures and resets, idempotent methods, a replayable body) and capped by a budget, so a struggling
/// Service is not hit with a retry storm; there is no request timeout, because no mesh can know how long a
/// legitimate request takes; the balancer is latency-aware (Linkerd's PeakEwma) rather than round-robin.
/// </para>
/// </summary>
internal static class TrafficPolicyDefaults
{
    public const LoadBalancerType LoadBalancer = LoadBalancerType.PeakEwma;

    /// <summary>Retries after the first attempt, so three attempts in all.</summary>
    public const int RetryAttempts = 2;

    public static IReadOnlyList<string> RetryOn { get; } = [RetryConditions.ConnectFailure, RetryConditions.Reset];

    /// <summary>Retries may add 20 % to the requests of the last 10 s ...</summary>
    public const int RetryBudgetPercent = 20;

    /// <summary>... but 10 per second are always allowed, so a quiet Service can still retry.</summary>
    public const int RetryBudgetMinPerSecond = 10;

    /// <summary>Full-jitter exponential backoff from 25 ms, doubling, capped at 250 ms.</summary>
    public static TimeSpan RetryBackoffBase { get; } = TimeSpan.FromMilliseconds(25);

    public static TimeSpan RetryBackoffMax { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>64 KiB: a larger request body is streamed, not buffered, and so not retried.</summary>
    public const int MaxReplayBodyBytes = 64 * 1024;

    /// <summary>No request or per-try timeout (null): only the application knows how long its requests take.</summary>
    public static TimeSpan? RequestTimeout => null;

    public static TimeSpan? PerTryTimeout => null;

    public static TimeSpan ConnectTimeout { get; } = TimeSpan.FromSeconds(1);

    public static TimeSpan IdleTimeout { get; } = TimeSpan.FromMinutes(5);

    /// <summary>Circuit-breaker limits: 0 is unlimited.</summary>
    public const int CircuitBreakerLimit = 0;

    /// <summary>Outlier detection is off unless a policy sets it; these fill the fields a policy leaves out.</summary>
    public static TimeSpan OutlierInterval { get; } = TimeSpan.FromSeconds(10);

    public static TimeSpan OutlierBaseEjectionTime { get; } = TimeSpan.FromSeconds(30);

    public const int OutlierMaxEjectionPercent = 50;

    /// <summary>Used when a policy gives neither consecutive5xx nor consecutiveGatewayErrors.</summary>
    public const int OutlierConsecutive5xx = 5;
}

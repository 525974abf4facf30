using System.Collections.Immutable;

namespace MeshNet.Model.Traffic;

/// <summary>
/// meshnet.io/v1alpha1 TrafficPolicy: how clients talk to a Service (or one of its ports). Structurally valid when
/// it reaches the model (durations non-negative, percentages in range); whether its target exists is the control
/// plane's question. Null sections mean "not set": the control plane fills MeshNet's defaults.
/// </summary>
public sealed record TrafficPolicy(
    string Namespace,
    string Name,
    PolicyTarget Target,
    LoadBalancerSettings? LoadBalancer,
    TimeoutSettings? Timeouts,
    RetrySettings? Retries,
    CircuitBreakerSettings? CircuitBreaker,
    OutlierDetectionSettings? OutlierDetection)
    : MeshResource(new ResourceKey(ResourceKinds.TrafficPolicy, Namespace, Name));

/// <summary>spec.targetRef: a Service in the policy's namespace, optionally one of its ports.</summary>
public sealed record PolicyTarget(string Kind, string Name, int? Port);

public enum LoadBalancerType
{
    PeakEwma,
    RoundRobin,
    LeastRequest,
    Random,
    RingHash,
}

/// <param name="HashOn">Required for RingHash, ignored otherwise.</param>
public sealed record LoadBalancerSettings(LoadBalancerType Type, HashOn? HashOn);

/// <summary>Exactly one of the three is set.</summary>
public sealed record HashOn(string? Header, bool SourceIP, string? Cookie);

public sealed record TimeoutSettings(TimeSpan? Request, TimeSpan? PerTry, TimeSpan? Connect, TimeSpan? Idle);

/// <param name="Attempts">Retries after the first attempt.</param>
/// <param name="On">Retry conditions: see <see cref="RetryConditions"/>.</param>
/// <param name="NonIdempotent">Also retry POST/PATCH (when the body can be replayed).</param>
public sealed record RetrySettings(
    int Attempts,
    ImmutableArray<string> On,
    ImmutableArray<int> StatusCodes,
    RetryBudget? Budget,
    RetryBackoff? Backoff,
    bool NonIdempotent);

public static class RetryConditions
{
    public const string ConnectFailure = "connect-failure";
    public const string Reset = "reset";
    public const string GatewayError = "gateway-error";
    public const string ServerError = "5xx";
    public const string RetriableStatusCodes = "retriable-status-codes";

    public static ImmutableArray<string> All { get; } = [ConnectFailure, Reset, GatewayError, ServerError, RetriableStatusCodes];
}

public sealed record RetryBudget(int Percent, int MinPerSecond);

public sealed record RetryBackoff(TimeSpan Base, TimeSpan Max);

/// <summary>Null limits are unlimited.</summary>
public sealed record CircuitBreakerSettings(int? MaxConnections, int? MaxPendingRequests, int? MaxRequests, int? MaxRetries);

/// <summary>Null fields take MeshNet's defaults (interval 10 s, base ejection 30 s, max 50 %).</summary>
public sealed record OutlierDetectionSettings(
    int? Consecutive5xx,
    int? ConsecutiveGatewayErrors,
    TimeSpan? Interval,
    TimeSpan? BaseEjectionTime,
    int? MaxEjectionPercent);

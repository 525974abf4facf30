using Google.Protobuf.WellKnownTypes;
using MeshNet.Model;
using MeshNet.Model.Traffic;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// Fills a cluster's client-side policy: <see cref="TrafficPolicyDefaults"/> overlaid, field by field, by the
/// TrafficPolicy in force for its Service port, plus the Service's own ClientIP session affinity.
/// </summary>
internal static class ClusterPolicyCompiler
{
    // Sections without a policy are the same for every cluster, so they are built once and shared (like every
    // compiled message, never mutated): thousands of clusters then cost no extra allocations, and comparing two
    // compilations of a Service stops at reference equality.
    private static readonly Protocol.V1.LoadBalancer DefaultLoadBalancer = LoadBalancer(null);
    private static readonly Timeouts DefaultTimeouts = Timeouts(null);
    private static readonly RetryPolicy DefaultRetries = Retries(null);
    private static readonly Protocol.V1.CircuitBreaker DefaultCircuitBreaker = CircuitBreaker(null);

    public static void Apply(Cluster cluster, TrafficPolicy? policy, MeshService service)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(service);
        cluster.LoadBalancer = policy?.LoadBalancer is { } loadBalancer ? LoadBalancer(loadBalancer) : DefaultLoadBalancer;
        cluster.Timeouts = policy?.Timeouts is { } timeouts ? Timeouts(timeouts) : DefaultTimeouts;
        cluster.Retries = policy?.Retries is { } retries ? Retries(retries) : DefaultRetries;
        cluster.CircuitBreaker = policy?.CircuitBreaker is { } circuitBreaker ? CircuitBreaker(circuitBreaker) : DefaultCircuitBreaker;
        cluster.OutlierDetection = policy?.OutlierDetection is { } outlier ? OutlierDetection(outlier) : null;
        cluster.SessionAffinity = service.SessionAffinity == Model.SessionAffinity.ClientIP
            ? new Protocol.V1.SessionAffinity { Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(service.SessionAffinityTimeoutSeconds)) }
            : null;
        cluster.Policy = policy is null ? string.Empty : MeshNames.NamespacedName(policy.Namespace, policy.Name);
    }

    private static Protocol.V1.LoadBalancer LoadBalancer(LoadBalancerSettings? settings)
    {
        var result = new Protocol.V1.LoadBalancer { Type = Type(settings?.Type ?? TrafficPolicyDefaults.LoadBalancer) };
        if (settings is { Type: LoadBalancerType.RingHash, HashOn: { } hashOn })
        {
            result.HashOn = hashOn switch
            {
                { Header: { Length: > 0 } header } => new Protocol.V1.HashOn { Header = header },
                { Cookie: { Length: > 0 } cookie } => new Protocol.V1.HashOn { Cookie = cookie },
                _ => new Protocol.V1.HashOn { SourceIp = true },
            };
        }

        return result;
    }

    private static Protocol.V1.LoadBalancer.Types.Type Type(LoadBalancerType type) => type switch
    {
        LoadBalancerType.RoundRobin => Protocol.V1.LoadBalancer.Types.Type.RoundRobin,
        LoadBalancerType.LeastRequest => Protocol.V1.LoadBalancer.Types.Type.LeastRequest,
        LoadBalancerType.Random => Protocol.V1.LoadBalancer.Types.Type.Random,
        LoadBalancerType.RingHash => Protocol.V1.LoadBalancer.Types.Type.RingHash,
        _ => Protocol.V1.LoadBalancer.Types.Type.PeakEwma,
    };

    private static Timeouts Timeouts(TimeoutSettings? settings) => new()
    {
        Request = ToDuration(settings?.Request ?? TrafficPolicyDefaults.RequestTimeout),
        PerTry = ToDuration(settings?.PerTry ?? TrafficPolicyDefaults.PerTryTimeout),
        Connect = ToDuration(settings?.Connect ?? TrafficPolicyDefaults.ConnectTimeout),
        Idle = ToDuration(settings?.Idle ?? TrafficPolicyDefaults.IdleTimeout),
    };

    private static RetryPolicy Retries(RetrySettings? settings)
    {
        var result = new RetryPolicy
        {
            Attempts = (uint)(settings?.Attempts ?? TrafficPolicyDefaults.RetryAttempts),
            BudgetPercent = (uint)(settings?.Budget?.Percent ?? TrafficPolicyDefaults.RetryBudgetPercent),
            BudgetMinPerSecond = (uint)(settings?.Budget?.MinPerSecond ?? TrafficPolicyDefaults.RetryBudgetMinPerSecond),
            BackoffBase = Duration.FromTimeSpan(settings?.Backoff?.Base ?? TrafficPolicyDefaults.RetryBackoffBase),
            BackoffMax = Duration.FromTimeSpan(settings?.Backoff?.Max ?? TrafficPolicyDefaults.RetryBackoffMax),
            NonIdempotent = settings?.NonIdempotent ?? false,
            MaxReplayBodyBytes = TrafficPolicyDefaults.MaxReplayBodyBytes,
        };

        // A policy that sets retries without naming conditions keeps the safe default conditions.
        result.RetryOn.AddRange(settings is { On: { IsDefaultOrEmpty: false } on } ? on : TrafficPolicyDefaults.RetryOn);
        if (settings is { StatusCodes: { IsDefaultOrEmpty: false } codes })
        {
            result.StatusCodes.AddRange(codes.Select(c => (uint)c));
        }

        return result;
    }

    private static Protocol.V1.CircuitBreaker CircuitBreaker(CircuitBreakerSettings? settings) => new()
    {
        MaxConnections = (uint)(settings?.MaxConnections ?? TrafficPolicyDefaults.CircuitBreakerLimit),
        MaxPendingRequests = (uint)(settings?.MaxPendingRequests ?? TrafficPolicyDefaults.CircuitBreakerLimit),
        MaxRequests = (uint)(settings?.MaxRequests ?? TrafficPolicyDefaults.CircuitBreakerLimit),
        MaxRetries = (uint)(settings?.MaxRetries ?? TrafficPolicyDefaults.CircuitBreakerLimit),
    };

    private static Protocol.V1.OutlierDetection OutlierDetection(OutlierDetectionSettings settings)
    {
        var neitherCount = settings.Consecutive5xx is null && settings.ConsecutiveGatewayErrors is null;
        return new Protocol.V1.OutlierDetection
        {
            Consecutive5Xx = (uint)(settings.Consecutive5xx ?? (neitherCount ? TrafficPolicyDefaults.OutlierConsecutive5xx : 0)),
            ConsecutiveGatewayErrors = (uint)(settings.ConsecutiveGatewayErrors ?? 0),
            Interval = Duration.FromTimeSpan(settings.Interval ?? TrafficPolicyDefaults.OutlierInterval),
            BaseEjectionTime = Duration.FromTimeSpan(settings.BaseEjectionTime ?? TrafficPolicyDefaults.OutlierBaseEjectionTime),
            MaxEjectionPercent = (uint)(settings.MaxEjectionPercent ?? TrafficPolicyDefaults.OutlierMaxEjectionPercent),
        };
    }

    private static Duration? ToDuration(TimeSpan? value) => value is { } span ? Duration.FromTimeSpan(span) : null;
}

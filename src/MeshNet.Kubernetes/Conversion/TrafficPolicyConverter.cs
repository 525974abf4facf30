using System.Collections.Immutable;
using MeshNet.Kubernetes.Crds;
using MeshNet.Kubernetes.Validation;
using MeshNet.Model.Traffic;

namespace MeshNet.Kubernetes.Conversion;

/// <summary>TrafficPolicy (validated) to the mesh model, with the CRD's field defaults applied.</summary>
public static class TrafficPolicyConverter
{
    public static TrafficPolicy ToTrafficPolicy(V1alpha1TrafficPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var spec = policy.Spec ?? throw new ArgumentException("TrafficPolicy without spec", nameof(policy));
        return new TrafficPolicy(
            ConversionHelpers.NamespaceOf(policy.Metadata),
            policy.Metadata?.Name ?? string.Empty,
            ToTarget(spec.TargetRef),
            ToLoadBalancer(spec.LoadBalancer),
            ToTimeouts(spec.Timeouts),
            ToRetries(spec.Retries),
            spec.CircuitBreaker is { } breaker
                ? new CircuitBreakerSettings(breaker.MaxConnections, breaker.MaxPendingRequests, breaker.MaxRequests, breaker.MaxRetries)
                : null,
            spec.OutlierDetection is { } outlier
                ? new OutlierDetectionSettings(
                    outlier.Consecutive5xx,
                    outlier.ConsecutiveGatewayErrors,
                    ParseOptional(outlier.Interval),
                    ParseOptional(outlier.BaseEjectionTime),
                    outlier.MaxEjectionPercent)
                : null);
    }

    internal static PolicyTarget ToTarget(PolicyTargetRef? target) =>
        new(target?.Kind ?? "Service", target?.Name ?? string.Empty, target?.Port);

    private static LoadBalancerSettings? ToLoadBalancer(LoadBalancerSpec? loadBalancer)
    {
        if (loadBalancer?.Type is not { } type)
        {
            return null;
        }

        var hashOn = loadBalancer.HashOn is { } h ? new HashOn(h.Header, h.SourceIP == true, h.Cookie) : null;
        return new LoadBalancerSettings(Enum.Parse<LoadBalancerType>(type), hashOn);
    }

    private static TimeoutSettings? ToTimeouts(TimeoutsSpec? timeouts) =>
        timeouts is null
            ? null
            : new TimeoutSettings(
                ParseOptional(timeouts.Request), ParseOptional(timeouts.PerTry), ParseOptional(timeouts.Connect), ParseOptional(timeouts.Idle));

    private static RetrySettings? ToRetries(RetriesSpec? retries)
    {
        if (retries is null)
        {
            return null;
        }

        RetryBackoff? backoff = null;
        if (retries.Backoff is { } b)
        {
            var backoffBase = ParseOptional(b.Base) ?? TrafficDefaults.RetryBackoffBase;
            backoff = new RetryBackoff(backoffBase, ParseOptional(b.Max) ?? backoffBase * TrafficDefaults.RetryBackoffMaxFactor);
        }

        return new RetrySettings(
            retries.Attempts ?? 0,
            retries.On is null ? TrafficDefaults.RetryOn : [.. retries.On],
            retries.StatusCodes is null ? [] : [.. retries.StatusCodes],
            retries.Budget is { } budget
                ? new RetryBudget(budget.Percent ?? TrafficDefaults.RetryBudgetPercent, budget.MinPerSecond ?? TrafficDefaults.RetryBudgetMinPerSecond)
                : null,
            backoff,
            retries.NonIdempotent ?? false);
    }

    private static TimeSpan? ParseOptional(string? text) => text is null ? null : GoDuration.Parse(text);
}

using MeshNet.Model.Traffic;
using static MeshNet.Kubernetes.Tests.Traffic.TrafficParsing;

namespace MeshNet.Kubernetes.Tests.Traffic;

/// <summary>Valid TrafficPolicies convert exactly, with the CRD's field defaults filled in.</summary>
public sealed class TrafficPolicyAcceptTests
{
    private static readonly PolicyTarget Posts = new("Service", "posts", null);

    public static TheoryData<string, TrafficPolicy> Policies => new()
    {
        {
            "spec:\n  targetRef: {kind: Service, name: posts}\n",
            new TrafficPolicy("blog", "posts", Posts, null, null, null, null, null)
        },
        {
            """
            spec:
              targetRef: {kind: Service, name: posts, port: 80}
              loadBalancer: {type: RingHash, hashOn: {header: x-user}}
              timeouts: {request: 2s, perTry: 500ms, connect: 1s, idle: 5m}
              retries:
                attempts: 3
                on: [connect-failure, reset, gateway-error, 5xx, retriable-status-codes]
                statusCodes: [503]
                budget: {percent: 20, minPerSecond: 10}
                backoff: {base: 25ms, max: 250ms}
              circuitBreaker: {maxConnections: 100, maxPendingRequests: 100, maxRequests: 1000, maxRetries: 3}
              outlierDetection: {consecutive5xx: 5, consecutiveGatewayErrors: 3, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50}
            """,
            new TrafficPolicy(
                "blog", "posts", new PolicyTarget("Service", "posts", 80),
                new LoadBalancerSettings(LoadBalancerType.RingHash, new HashOn("x-user", false, null)),
                new TimeoutSettings(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5)),
                new RetrySettings(3, ["connect-failure", "reset", "gateway-error", "5xx", "retriable-status-codes"], [503],
                    new RetryBudget(20, 10), new RetryBackoff(TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(250)), false),
                new CircuitBreakerSettings(100, 100, 1000, 3),
                new OutlierDetectionSettings(5, 3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 50))
        },
        {
            "spec:\n  targetRef: {kind: Service, name: posts}\n  loadBalancer: {type: RingHash, hashOn: {sourceIP: true}}\n",
            new TrafficPolicy("blog", "posts", Posts, new LoadBalancerSettings(LoadBalancerType.RingHash, new HashOn(null, true, null)), null, null, null, null)
        },
        {
            "spec:\n  targetRef: {kind: Service, name: posts}\n  loadBalancer: {type: RingHash, hashOn: {cookie: session, sourceIP: false}}\n",
            new TrafficPolicy("blog", "posts", Posts, new LoadBalancerSettings(LoadBalancerType.RingHash, new HashOn(null, false, "session")), null, null, null, null)
        },
        {
            "spec:\n  targetRef: {kind: Service, name: posts}\n  loadBalancer: {type: PeakEwma}\n",
            new TrafficPolicy("blog", "posts", Posts, new LoadBalancerSettings(LoadBalancerType.PeakEwma, null), null, null, null, null)
        },
        {
            // Defaults inside given sections: on, budget fields, backoff base and max (ten times base), nonIdempotent.
            "spec:\n  targetRef: {kind: Service, name: posts}\n  retries: {attempts: 2, budget: {}, backoff: {base: 100ms}}\n",
            new TrafficPolicy("blog", "posts", Posts, null, null,
                new RetrySettings(2, ["connect-failure", "reset"], [], new RetryBudget(20, 10), new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)), false),
                null, null)
        },
        {
            "spec:\n  targetRef: {kind: Service, name: posts}\n  retries: {attempts: 0, on: [5xx], nonIdempotent: true, backoff: {}}\n  timeouts: {request: 1m30s}\n",
            new TrafficPolicy("blog", "posts", Posts,
                null,
                new TimeoutSettings(TimeSpan.FromSeconds(90), null, null, null),
                new RetrySettings(0, ["5xx"], [], null, new RetryBackoff(TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(250)), true),
                null, null)
        },
        {
            "spec:\n  targetRef: {kind: Service, name: posts}\n  circuitBreaker: {maxRequests: 10}\n  outlierDetection: {consecutive5xx: 1, maxEjectionPercent: 0}\n  timeouts: {idle: 24h, connect: 1ms, request: 1.5h, perTry: 90m}\n",
            new TrafficPolicy("blog", "posts", Posts,
                null,
                new TimeoutSettings(TimeSpan.FromMinutes(90), TimeSpan.FromMinutes(90), TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(24)),
                null,
                new CircuitBreakerSettings(null, null, 10, null),
                new OutlierDetectionSettings(1, null, null, null, 0))
        },
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public void Converts_ValidPolicy(string spec, TrafficPolicy expected) =>
        AssertSame(expected, Accept(PolicyHeader + spec));

    [Fact]
    public void Defaults_NamespaceToDefault_LikeOtherKinds()
    {
        var policy = Accept("apiVersion: meshnet.io/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: p}\nspec:\n  targetRef: {kind: Service, name: posts}\n");

        Assert.Equal(new Model.ResourceKey("TrafficPolicy", "default", "p"), policy.Key);
    }

    [Fact]
    public void Accepts_StatusWrittenByTheControlPlane()
    {
        var policy = Accept(PolicyHeader + "spec:\n  targetRef: {kind: Service, name: posts}\nstatus:\n  observedGeneration: 2\n  conditions:\n  - {type: Accepted, status: \"True\", lastTransitionTime: \"2026-01-01T00:00:00Z\", reason: Accepted, message: ok, observedGeneration: 2}\n");

        Assert.IsType<TrafficPolicy>(policy);
    }
}

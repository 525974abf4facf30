using Google.Protobuf.WellKnownTypes;
using MeshNet.Protocol.V1;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests.Resilience;

/// <summary>Clusters with the traffic policy a test needs, round-robin so which backend gets what is predictable.</summary>
public static class Policies
{
    public static Cluster Posts(params FaultBackend[] backends)
    {
        var cluster = Cluster("blog", "posts", 80, backends.Select(b => Plain(b.Port)).ToArray());
        cluster.LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.RoundRobin };
        cluster.Timeouts = new Timeouts();
        cluster.CircuitBreaker = new CircuitBreaker();
        cluster.Retries = new RetryPolicy { MaxReplayBodyBytes = 64 * 1024 };
        return cluster;
    }

    public static Cluster WithRetries(this Cluster cluster, uint attempts, params string[] on)
    {
        cluster.Retries.Attempts = attempts;
        cluster.Retries.RetryOn.Clear();
        cluster.Retries.RetryOn.Add(on);
        return cluster;
    }

    public static Cluster WithOutliers(this Cluster cluster, uint consecutive5xx, TimeSpan baseEjection, uint maxPercent, uint consecutiveGateway = 0)
    {
        cluster.OutlierDetection = new OutlierDetection
        {
            Consecutive5Xx = consecutive5xx,
            ConsecutiveGatewayErrors = consecutiveGateway,
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
            BaseEjectionTime = Duration.FromTimeSpan(baseEjection),
            MaxEjectionPercent = maxPercent,
        };
        return cluster;
    }

    public static Duration Ms(int milliseconds) => Duration.FromTimeSpan(TimeSpan.FromMilliseconds(milliseconds));
}

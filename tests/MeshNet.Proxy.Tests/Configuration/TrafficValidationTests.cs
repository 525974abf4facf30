using Google.Protobuf.WellKnownTypes;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Configuration;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests.Configuration;

public sealed class TrafficValidationTests
{
    private const string PostsHost = "posts.blog.svc.cluster.local:80";
    private static readonly string PostsCluster = ClusterName("blog", "posts", 80);

    public static TheoryData<DiscoveryResponse, string> Rejections()
    {
        return new TheoryData<DiscoveryResponse, string>
        {
            { WithMatch(new RouteMatch { Path = new PathMatch { Type = PathMatch.Types.Type.Regex, Value = "/posts/(" } }), $"route \"default\" of virtual host \"{PostsHost}\": path regex \"/posts/(\" does not compile: Invalid pattern '/posts/(' at offset 8. Not enough )'s." },
            { WithMatch(new RouteMatch(), Header("x-user", "[z-a]", HeaderMatch.Types.Type.Regex)), $"route \"default\" of virtual host \"{PostsHost}\": header \"x-user\" regex \"[z-a]\" does not compile: Invalid pattern '[z-a]' at offset 4. [x-y] range in reverse order." },
            { WithMatch(new RouteMatch(), Header("", "v")), $"route \"default\" of virtual host \"{PostsHost}\": a header match has an empty name" },
            { WithMatch(new RouteMatch { Path = new PathMatch { Type = PathMatch.Types.Type.Exact, Value = "api" } }), $"route \"default\" of virtual host \"{PostsHost}\": path \"api\" must start with '/'" },
            { WithMatch(new RouteMatch { Path = new PathMatch { Type = PathMatch.Types.Type.Exact, Value = "" } }), $"route \"default\" of virtual host \"{PostsHost}\": path \"\" must start with '/'" },
            { WithMatch(new RouteMatch { PathPrefix = "api" }), $"route \"default\" of virtual host \"{PostsHost}\": path_prefix \"api\" must start with '/'" },
            { WithWeights(0), $"route \"default\" of virtual host \"{PostsHost}\": cluster weights add up to 0" },
            { WithWeights(0, 0), $"route \"default\" of virtual host \"{PostsHost}\": cluster weights add up to 0" },
            { WithPolicy(c => c.LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.RingHash }), $"cluster \"{PostsCluster}\" (policy \"blog/posts\"): load_balancer RING_HASH has no hash_on key (header, source_ip or cookie)" },
            { WithPolicy(c => c.LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.RingHash, HashOn = new HashOn { Header = "" } }), $"cluster \"{PostsCluster}\" (policy \"blog/posts\"): load_balancer RING_HASH has no hash_on key (header, source_ip or cookie)" },
            { WithPolicy(c => c.LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.RingHash, HashOn = new HashOn { SourceIp = false } }), $"cluster \"{PostsCluster}\" (policy \"blog/posts\"): load_balancer RING_HASH has no hash_on key (header, source_ip or cookie)" },
            { WithPolicy(c => c.Timeouts = new Timeouts { PerTry = new Duration { Seconds = -1 } }), $"cluster \"{PostsCluster}\" (policy \"blog/posts\"): timeouts.per_try is negative" },
            { WithPolicy(c => c.Timeouts = new Timeouts { Connect = new Duration { Seconds = 1, Nanos = -5 } }), $"cluster \"{PostsCluster}\" (policy \"blog/posts\"): timeouts.connect is not a valid duration" },
            { WithPolicy(c => c.SessionAffinity = new SessionAffinity { Timeout = new Duration { Seconds = -10800 } }), $"cluster \"{PostsCluster}\" (policy \"blog/posts\"): session_affinity.timeout is negative" },
            { WithPolicy(c => c.OutlierDetection = new OutlierDetection { MaxEjectionPercent = 101 }), $"cluster \"{PostsCluster}\" (policy \"blog/posts\"): outlier_detection.max_ejection_percent 101 is over 100" },
            { WithPolicy(c => { c.Policy = ""; c.LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.RingHash }; }), $"cluster \"{PostsCluster}\": load_balancer RING_HASH has no hash_on key (header, source_ip or cookie)" },
        };
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Rejects_WithAMessageNamingRouteOrCluster(DiscoveryResponse response, string expected)
    {
        var next = SnapshotUpdater.TryApply(ProxySnapshot.Empty, response, out var error);

        Assert.Null(next);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Accepts_ValidRoutesAndPolicies()
    {
        var response = WithMatch(
            new RouteMatch { Path = new PathMatch { Type = PathMatch.Types.Type.Regex, Value = "/posts/[0-9]+" }, Method = "GET" },
            Header("x-user", "u-.*", HeaderMatch.Types.Type.Regex));
        response.Clusters[0].LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.RingHash, HashOn = new HashOn { Cookie = "session" } };
        response.Clusters[0].SessionAffinity = new SessionAffinity { Timeout = new Duration { Seconds = 10800 } };
        response.Clusters[0].Timeouts = new Timeouts { Connect = new Duration { Nanos = 500_000_000 } };

        Assert.NotNull(SnapshotUpdater.TryApply(ProxySnapshot.Empty, response, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Accepts_ARouteWithAZeroWeightBesideAPositiveOne()
    {
        Assert.NotNull(SnapshotUpdater.TryApply(ProxySnapshot.Empty, WithWeights(0, 5), out var error));
        Assert.Null(error);
    }

    private static DiscoveryResponse WithMatch(RouteMatch match, RouteMatch? more = null)
    {
        var virtualHost = VirtualHost("blog", "posts", 80, "blog");
        virtualHost.Routes[0].Match = match;
        if (more is not null)
        {
            virtualHost.Routes[0].MoreMatches.Add(more);
        }

        return Full("1", [virtualHost], [Cluster("blog", "posts", 80, Plain(9001))]);
    }

    private static DiscoveryResponse WithWeights(params uint[] weights)
    {
        var virtualHost = VirtualHost("blog", "posts", 80, "blog");
        virtualHost.Routes[0].Clusters.Clear();
        var clusters = new List<Cluster>();
        for (var i = 0; i < weights.Length; i++)
        {
            var cluster = Cluster("blog", "posts", 80, Plain(9001));
            cluster.Name = $"{PostsCluster}-{i}";
            clusters.Add(cluster);
            virtualHost.Routes[0].Clusters.Add(new WeightedCluster { Cluster = cluster.Name, Weight = weights[i] });
        }

        return Full("1", [virtualHost], clusters);
    }

    private static DiscoveryResponse WithPolicy(Action<Cluster> change)
    {
        var cluster = Cluster("blog", "posts", 80, Plain(9001));
        cluster.Policy = "blog/posts";
        change(cluster);
        return Full("1", [VirtualHost("blog", "posts", 80, "blog")], [cluster]);
    }

    private static RouteMatch Header(string name, string value, HeaderMatch.Types.Type type = HeaderMatch.Types.Type.Exact)
    {
        var match = new RouteMatch();
        match.Headers.Add(new HeaderMatch { Name = name, Value = value, Type = type });
        return match;
    }
}

using MeshNet.ControlPlane.Compilation;
using MeshNet.Model;
using MeshNet.Model.Traffic;
using Proto = MeshNet.Protocol.V1;
using static MeshNet.ControlPlane.Tests.TestResources;
using static MeshNet.ControlPlane.Tests.Traffic.TrafficResources;

namespace MeshNet.ControlPlane.Tests.Traffic;

public sealed class TrafficCompileTests
{
    private const string V1 = "outbound|80|version=v1|posts.blog.svc.cluster.local";
    private const string V2 = "outbound|80|version=v2|posts.blog.svc.cluster.local";
    private const string Whole = "outbound|80||posts.blog.svc.cluster.local";

    private static ProxyConfig Compile(params MeshResource[] traffic) =>
        new MeshConfigCompiler().Compile(Index(Canary(traffic)), Frontend);

    [Fact]
    public void Compiles_TheDefaultPolicy_WithoutATrafficPolicy()
    {
        var config = Compile();

        Golden.Assert("traffic-default.json", Render(config, "blog/posts"));
        var cluster = Cluster(config, Whole);
        Assert.Equal(Proto.LoadBalancer.Types.Type.PeakEwma, cluster.LoadBalancer.Type);
        Assert.Equal((2u, 20u, 10u, 65536u), (cluster.Retries.Attempts, cluster.Retries.BudgetPercent, cluster.Retries.BudgetMinPerSecond, cluster.Retries.MaxReplayBodyBytes));
        Assert.Equal(["connect-failure", "reset"], cluster.Retries.RetryOn);
        Assert.False(cluster.Retries.NonIdempotent);
        Assert.Null(cluster.Timeouts.Request);
        Assert.Null(cluster.Timeouts.PerTry);
        Assert.Equal(TimeSpan.FromSeconds(1), cluster.Timeouts.Connect.ToTimeSpan());
        Assert.Equal(TimeSpan.FromMinutes(5), cluster.Timeouts.Idle.ToTimeSpan());
        Assert.Equal(new Proto.CircuitBreaker(), cluster.CircuitBreaker);
        Assert.Null(cluster.OutlierDetection);
        Assert.Null(cluster.SessionAffinity);
        Assert.Empty(cluster.Policy);
    }

    [Fact]
    public void Shares_TheDefaultSections_BetweenClusters()
    {
        var config = Compile(Policy("posts", timeouts: new TimeoutSettings(TimeSpan.FromSeconds(2), null, null, null)));

        var posts = Cluster(config, Whole);
        var postsV2 = Cluster(config, "outbound|80||posts-v2.blog.svc.cluster.local");
        Assert.Same(posts.Retries, postsV2.Retries);
        Assert.NotSame(posts.Timeouts, postsV2.Timeouts);
        Assert.NotEqual(posts.Timeouts, postsV2.Timeouts);
    }

    [Fact]
    public void Compiles_AFullPolicy_OverTheDefaults()
    {
        var policy = Policy(
            "posts-policy",
            loadBalancer: new LoadBalancerSettings(LoadBalancerType.RingHash, new HashOn("x-user", false, null)),
            timeouts: new TimeoutSettings(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500), null, null),
            retries: new RetrySettings(
                3, [RetryConditions.ServerError, RetryConditions.RetriableStatusCodes], [503],
                new RetryBudget(30, 5), new RetryBackoff(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100)), true),
            circuitBreaker: new CircuitBreakerSettings(100, 100, 1000, 3),
            outlier: new OutlierDetectionSettings(null, 3, null, TimeSpan.FromMinutes(1), null));

        var config = Compile(policy);

        Golden.Assert("traffic-full-policy.json", Render(config, "blog/posts"));
        var cluster = Cluster(config, Whole);
        Assert.Equal("blog/posts-policy", cluster.Policy);
        Assert.Equal("x-user", cluster.LoadBalancer.HashOn.Header);
        Assert.Equal(TimeSpan.FromSeconds(1), cluster.Timeouts.Connect.ToTimeSpan());
        Assert.Equal((0u, 3u, 50u), (cluster.OutlierDetection.Consecutive5Xx, cluster.OutlierDetection.ConsecutiveGatewayErrors, cluster.OutlierDetection.MaxEjectionPercent));
        Assert.Equal(TimeSpan.FromSeconds(10), cluster.OutlierDetection.Interval.ToTimeSpan());
        Assert.Equal(TimeSpan.FromMinutes(1), cluster.OutlierDetection.BaseEjectionTime.ToTimeSpan());
        Assert.Equal("blog/posts-policy", Cluster(Compile(policy, Route("canary", "posts", Always(Subset("version=v2", 1)))), V2).Policy);
    }

    [Fact]
    public void Fills_Consecutive5xx_WhenAnOutlierPolicyGivesNoCount()
    {
        var config = Compile(Policy("eject", outlier: new OutlierDetectionSettings(null, null, null, null, null)));

        var outlier = Cluster(config, Whole).OutlierDetection;
        Assert.Equal((5u, 0u, 50u), (outlier.Consecutive5Xx, outlier.ConsecutiveGatewayErrors, outlier.MaxEjectionPercent));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)), (outlier.Interval.ToTimeSpan(), outlier.BaseEjectionTime.ToTimeSpan()));
    }

    [Fact]
    public void Prefers_APortSpecificPolicy_OverAWholeServicePolicy()
    {
        var users = Service("blog", "users", "app=users", [Port(80, TargetPort.FromNumber(8080), "http"), Port(9000, name: "grpc", appProtocol: "grpc")]);
        var wide = Policy("a-wide", "users", loadBalancer: new LoadBalancerSettings(LoadBalancerType.RoundRobin, null));
        var grpc = Policy("b-grpc", "users", 9000, loadBalancer: new LoadBalancerSettings(LoadBalancerType.LeastRequest, null));

        var config = new MeshConfigCompiler().Compile(Index(users, Pod("blog", "users-1", "app=users", "127.0.1.21"), grpc, wide), Frontend);

        var http = Cluster(config, "outbound|80||users.blog.svc.cluster.local");
        var rpc = Cluster(config, "outbound|9000||users.blog.svc.cluster.local");
        Assert.Equal(("blog/a-wide", Proto.LoadBalancer.Types.Type.RoundRobin), (http.Policy, http.LoadBalancer.Type));
        Assert.Equal(("blog/b-grpc", Proto.LoadBalancer.Types.Type.LeastRequest), (rpc.Policy, rpc.LoadBalancer.Type));
    }

    [Fact]
    public void Compiles_ASubsetCanary_AsWeightedSubsetClusters()
    {
        var config = Compile(Route("posts-canary", "posts", Always(Subset("version=v1", 90), Subset("version=v2", 10))));

        Golden.Assert("traffic-canary.json", Render(config, "blog/posts"));
        var route = Assert.Single(Host(config).Routes);
        Assert.Equal(("rule-0", "blog/posts-canary"), (route.Name, route.Source));
        Assert.Equal([(V1, 90u), (V2, 10u)], route.Clusters.Select(c => (c.Cluster, c.Weight)));
        Assert.Equal(["blog/posts-v1-1", "blog/posts-v1-2"], Cluster(config, V1).Endpoints.Select(e => e.Workload));
        var v2 = Assert.Single(Cluster(config, V2).Endpoints);
        Assert.Equal(("blog/posts-v2-1", "v2"), (v2.Workload, v2.Labels["version"]));
        Assert.Equal(3, Cluster(config, Whole).Endpoints.Count);
    }

    [Fact]
    public void Compiles_AHeaderMatch_BeforeTheSplit_AndKeepsTheCatchAllRoute()
    {
        RouteMatch api = new(new PathMatch(PathMatchType.PathPrefix, "/api"), [new HeaderMatch("x-canary", "true", HeaderMatchType.Exact)], "GET");
        var config = Compile(Route(
            "posts-header", "posts",
            When([api, Header("x-user", "^tester-.*$") with { Headers = [new HeaderMatch("x-user", "^tester-.*$", HeaderMatchType.RegularExpression)] }], Subset("version=v2", 100))));

        Golden.Assert("traffic-header-match.json", Render(config, "blog/posts"));
        var routes = Host(config).Routes;
        Assert.Equal(["rule-0", VirtualHostCompiler.DefaultRouteName], routes.Select(r => r.Name));
        Assert.Equal(Proto.PathMatch.Types.Type.Prefix, routes[0].Match.Path.Type);
        Assert.Equal(("x-canary", "true", "GET"), (routes[0].Match.Headers.Single().Name, routes[0].Match.Headers.Single().Value, routes[0].Match.Method));
        Assert.Equal(Proto.HeaderMatch.Types.Type.Regex, routes[0].MoreMatches.Single().Headers.Single().Type);
        Assert.Equal(Whole, routes[1].Clusters.Single().Cluster);
        Assert.Empty(routes[1].Source);
    }

    [Fact]
    public void Routes_AServiceBackend_ToThatServicesCluster()
    {
        var config = Compile(Route("posts-split", "posts", Always(Subset("version=v1", 80), ToService("posts-v2", 20))));

        Golden.Assert("traffic-service-backend.json", Render(config, "blog/posts"));
        Assert.Equal(
            [(V1, 80u), ("outbound|80||posts-v2.blog.svc.cluster.local", 20u)],
            Host(config).Routes.Single().Clusters.Select(c => (c.Cluster, c.Weight)));
        Assert.DoesNotContain(config.Clusters, c => c.Name == V2);
    }

    [Fact]
    public void Leaves_OutRules_AfterACatchAllRule()
    {
        var config = Compile(Route("posts", "posts", Always(Subset("version=v1", 1)), When([Header("x-canary", "true")], Subset("version=v2", 1))));

        Assert.Equal(["rule-0"], Host(config).Routes.Select(r => r.Name));
        Assert.DoesNotContain(config.Clusters, c => c.Name == V2);
    }

    [Theory]
    [InlineData(SessionAffinity.ClientIP, 600, 600)]
    [InlineData(SessionAffinity.None, 600, null)]
    public void Carries_TheServicesClientIPSessionAffinity(SessionAffinity affinity, int timeoutSeconds, int? expectedSeconds)
    {
        var posts = Posts with { SessionAffinity = affinity, SessionAffinityTimeoutSeconds = timeoutSeconds };
        MeshResource[] resources = [posts, .. Canary(Route("canary", "posts", Always(Subset("version=v2", 1))))[1..]];

        var config = new MeshConfigCompiler().Compile(Index(resources), Frontend);

        var clusters = config.Clusters.Where(c => c.Service == "blog/posts").ToList();
        Assert.Equal(2, clusters.Count);
        Assert.All(clusters, c => Assert.Equal(expectedSeconds, c.SessionAffinity is { } a ? (int)a.Timeout.ToTimeSpan().TotalSeconds : null));
    }

    [Fact]
    public void Applies_ThePolicy_ToAHeadlessServicesEndpointClusters()
    {
        var headless = Service("blog", "db", "app=db", [Port(5432)]) with { Headless = true };

        var config = new MeshConfigCompiler().Compile(
            Index(headless, Pod("blog", "db-0", "app=db", "127.0.1.40"), Policy("db", "db", circuitBreaker: new CircuitBreakerSettings(10, null, null, null))),
            Frontend);

        Assert.Equal(2, config.Clusters.Count(c => c.Service == "blog/db"));
        Assert.All(config.Clusters.Where(c => c.Service == "blog/db"), c => Assert.Equal(10u, c.CircuitBreaker.MaxConnections));
    }
}

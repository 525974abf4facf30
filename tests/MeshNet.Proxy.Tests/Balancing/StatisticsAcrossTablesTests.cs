using MeshNet.Protocol.V1;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Tests.Configuration;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests.Balancing;

public sealed class StatisticsAcrossTablesTests
{
    [Fact]
    public void NewTable_ReusesTheStatisticsOfTheSameClusterAndDestination()
    {
        var fixtures = new TableFixtures();
        var first = fixtures.Build(Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Plain(9001), Plain(9002))]));
        var before = Destination(first, "127.0.0.1:9001");
        var lease = new MeshNet.Proxy.Balancing.DestinationLease(before);

        var second = fixtures.Build(
            Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Plain(9001), Plain(9002))]),
            Delta("2", clusters: [Cluster("blog", "posts", 80, Plain(9001), Plain(9002), Plain(9003))]));
        var after = Destination(second, "127.0.0.1:9001");

        Assert.NotSame(before, after);
        Assert.Same(before.Stats, after.Stats);
        Assert.Equal(1, after.Stats.InFlight);
        fixtures.Clock.Advance(TimeSpan.FromMilliseconds(25));
        lease.Complete(success: true);
        Assert.Equal(0, after.Stats.InFlight);
        Assert.Equal(0.025, after.Stats.Estimate(fixtures.Clock.GetTimestamp())!.Value, precision: 6);
    }

    [Fact]
    public void DestinationThatLeaves_LosesItsStatistics_AndStartsFreshWhenItReturns()
    {
        var fixtures = new TableFixtures();
        var virtualHost = VirtualHost("blog", "posts", 80, "blog");
        var first = fixtures.Build(Full("1", [virtualHost], [Cluster("blog", "posts", 80, Plain(9001), Plain(9002))]));
        var original = Destination(first, "127.0.0.1:9002").Stats;

        fixtures.Build(Full("2", [virtualHost], [Cluster("blog", "posts", 80, Plain(9001))]));
        var back = fixtures.Build(Full("3", [virtualHost], [Cluster("blog", "posts", 80, Plain(9001), Plain(9002))]));

        Assert.NotSame(original, Destination(back, "127.0.0.1:9002").Stats);
        Assert.Same(Destination(first, "127.0.0.1:9001").Stats, Destination(back, "127.0.0.1:9001").Stats);
    }

    [Fact]
    public void SameEndpointInTwoClusters_HasSeparateStatistics()
    {
        var fixtures = new TableFixtures();
        var table = fixtures.Build(Full("1",
            [VirtualHost("blog", "posts", 80, "blog"), VirtualHost("blog", "users", 80, "blog")],
            [Cluster("blog", "posts", 80, Plain(9001)), Cluster("blog", "users", 80, Plain(9001))]));

        Assert.True(table.TryFind("posts", out var posts));
        Assert.True(table.TryFind("users", out var users));
        Assert.NotSame(Only(posts).Stats, Only(users).Stats);
    }

    [Fact]
    public void ClusterPolicy_PicksTheBalancer_AndRingHashKeepsKeysAcrossTables()
    {
        var fixtures = new TableFixtures();
        var cluster = Cluster("blog", "posts", 80, Plain(9001), Plain(9002), Plain(9003));
        cluster.LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.RingHash, HashOn = new HashOn { Header = "x-user" } };
        var response = Full("1", [VirtualHost("blog", "posts", 80, "blog")], [cluster]);
        var first = fixtures.Build(response);
        var second = fixtures.Build(response);

        for (var i = 0; i < 50; i++)
        {
            var request = BalancingFixtures.Request(headers: new Dictionary<string, string> { ["x-user"] = $"u{i}" });
            Assert.Equal(PickId(first, request), PickId(second, request));
        }
    }

    [Fact]
    public void ServiceSessionAffinity_SticksAcrossTables()
    {
        var fixtures = new TableFixtures();
        var cluster = Cluster("blog", "posts", 80, Plain(9001), Plain(9002), Plain(9003));
        cluster.LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.RoundRobin };
        cluster.SessionAffinity = new SessionAffinity { Timeout = new Google.Protobuf.WellKnownTypes.Duration { Seconds = 60 } };
        var response = Full("1", [VirtualHost("blog", "posts", 80, "blog")], [cluster]);
        var first = fixtures.Build(response);
        var chosen = PickId(first, BalancingFixtures.Request("192.0.2.5"));

        var second = fixtures.Build(response);

        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(chosen, PickId(second, BalancingFixtures.Request("192.0.2.5"))));
    }

    private static string PickId(RouteTable table, Microsoft.AspNetCore.Http.HttpContext context)
    {
        Assert.True(table.TryFind("posts", out var host));
        var lease = host.Match(context.Request)!.PickCluster().Pick(context, avoid: null)!.Value;
        lease.Complete(success: true);
        return lease.Destination.Id;
    }

    private static OutboundDestination Destination(RouteTable table, string id)
    {
        Assert.True(table.TryFind("posts", out var host));
        return host.Match(TableFixtures.Request("/"))!.PickCluster().Destinations.Single(d => d.Id == id);
    }

    private static OutboundDestination Only(VirtualHostEntry host) =>
        Assert.Single(host.Match(TableFixtures.Request("/"))!.PickCluster().Destinations);
}

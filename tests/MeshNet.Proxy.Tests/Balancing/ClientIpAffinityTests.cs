using System.Net;
using MeshNet.Proxy.Balancing;
using MeshNet.Proxy.Configuration;
using LbType = MeshNet.Protocol.V1.LoadBalancer.Types.Type;

namespace MeshNet.Proxy.Tests.Balancing;

public sealed class ClientIpAffinityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void SameClientIp_SticksToOneDestination_WhileRoundRobinWouldRotate()
    {
        var fixtures = new BalancingFixtures();
        var cluster = fixtures.Cluster(fixtures.Destinations(3), LbType.RoundRobin, Table(fixtures));

        foreach (var client in new[] { "192.0.2.1", "192.0.2.2", "192.0.2.3", "::ffff:192.0.2.1" })
        {
            var tally = BalancingFixtures.Tally(cluster, 30, _ => BalancingFixtures.Request(client));
            Assert.Single(tally);
        }

        var clients = Enumerable.Range(1, 30).Select(i => BalancingFixtures.Tally(cluster, 1, _ => BalancingFixtures.Request($"198.51.100.{i}")).Keys.Single());
        Assert.Equal(3, clients.Distinct().Count());
    }

    [Fact]
    public void Affinity_SlidesWithTraffic_AndExpiresAfterTheTimeout()
    {
        var fixtures = new BalancingFixtures();
        var table = Table(fixtures);
        var client = IPAddress.Parse("192.0.2.7");
        table.Remember(client, "a");

        for (var i = 0; i < 5; i++)
        {
            fixtures.Clock.Advance(Timeout - TimeSpan.FromSeconds(1));
            Assert.Equal("a", table.Lookup(client));
        }

        fixtures.Clock.Advance(Timeout + TimeSpan.FromSeconds(1));
        Assert.Null(table.Lookup(client));
    }

    [Fact]
    public void ExpiredEntries_AreSwept_SoTheBoundedTableTakesNewClients()
    {
        var fixtures = new BalancingFixtures();
        var table = new ClientIpAffinityTable(fixtures.Clock, capacity: 2) { Timeout = Timeout };
        table.Remember(IPAddress.Parse("192.0.2.1"), "a");
        table.Remember(IPAddress.Parse("192.0.2.2"), "b");

        table.Remember(IPAddress.Parse("192.0.2.3"), "c");
        Assert.Null(table.Lookup(IPAddress.Parse("192.0.2.3")));
        Assert.Equal(2, table.Count);

        fixtures.Clock.Advance(Timeout + TimeSpan.FromSeconds(1));
        table.Remember(IPAddress.Parse("192.0.2.3"), "c");

        Assert.Equal("c", table.Lookup(IPAddress.Parse("192.0.2.3")));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void EjectedDestination_IsReplaced_AndTheNewChoiceSticks()
    {
        var fixtures = new BalancingFixtures();
        var ejected = new HashSet<string>();
        var table = Table(fixtures);
        var cluster = fixtures.Cluster(fixtures.Destinations(3), LbType.RoundRobin, table, ejected.Contains);
        var first = BalancingFixtures.Tally(cluster, 1, _ => BalancingFixtures.Request("192.0.2.9")).Keys.Single();

        ejected.Add(first);
        var second = BalancingFixtures.Tally(cluster, 10, _ => BalancingFixtures.Request("192.0.2.9"));
        ejected.Clear();
        var third = BalancingFixtures.Tally(cluster, 10, _ => BalancingFixtures.Request("192.0.2.9"));

        Assert.NotEqual(first, Assert.Single(second).Key);
        Assert.Equal(second.Keys.Single(), Assert.Single(third).Key);
    }

    [Fact]
    public void DestinationGoneFromANewTable_IsReplaced()
    {
        var fixtures = new BalancingFixtures();
        var table = Table(fixtures);
        var destinations = fixtures.Destinations(3);
        var before = fixtures.Cluster(destinations, LbType.RoundRobin, table);
        var first = BalancingFixtures.Tally(before, 1, _ => BalancingFixtures.Request("192.0.2.9")).Keys.Single();

        var after = fixtures.Cluster(destinations.Where(d => d.Id != first).ToArray(), LbType.RoundRobin, table);
        var second = BalancingFixtures.Tally(after, 10, _ => BalancingFixtures.Request("192.0.2.9"));

        Assert.NotEqual(first, Assert.Single(second).Key);
        Assert.Equal(second.Keys.Single(), table.Lookup(IPAddress.Parse("192.0.2.9")));
    }

    [Fact]
    public void RetryAvoidingTheRememberedDestination_GoesElsewhere_ButKeepsTheAffinity()
    {
        var fixtures = new BalancingFixtures();
        var table = Table(fixtures);
        var destinations = fixtures.Destinations(3);
        var cluster = fixtures.Cluster(destinations, LbType.RoundRobin, table);
        var first = cluster.Pick(BalancingFixtures.Request("192.0.2.9"), avoid: null)!.Value;
        first.Complete(success: false);

        var retry = cluster.Pick(BalancingFixtures.Request("192.0.2.9"), new List<OutboundDestination> { first.Destination })!.Value;
        retry.Complete(success: true);

        Assert.NotSame(first.Destination, retry.Destination);
        Assert.Equal(first.Destination.Id, table.Lookup(IPAddress.Parse("192.0.2.9")));
    }

    private static ClientIpAffinityTable Table(BalancingFixtures fixtures) =>
        new(fixtures.Clock, ClientIpAffinityTable.DefaultCapacity) { Timeout = Timeout };
}

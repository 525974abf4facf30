using MeshNet.Proxy.Configuration;
using Proto = MeshNet.Protocol.V1;
using LbType = MeshNet.Protocol.V1.LoadBalancer.Types.Type;

namespace MeshNet.Proxy.Tests.Balancing;

public sealed class LoadBalancerTests
{
    public static TheoryData<LbType> EveryType() => [LbType.PeakEwma, LbType.RoundRobin, LbType.LeastRequest, LbType.Random, LbType.RingHash];

    private static readonly Proto.HashOn UserHeader = new() { Header = "x-user" };

    [Fact]
    public void RoundRobin_RotatesExactly()
    {
        var fixtures = new BalancingFixtures();
        var cluster = fixtures.Cluster(fixtures.Destinations(3), LbType.RoundRobin);

        var picks = Enumerable.Range(0, 300).Select(_ => Pick(cluster)).ToList();

        Assert.All(picks.GroupBy(p => p), g => Assert.Equal(100, g.Count()));
        Assert.Equal(3, picks.Distinct().Count());
        // Strict rotation: the sequence repeats with period 3.
        Assert.All(Enumerable.Range(3, 297), i => Assert.Equal(picks[i - 3], picks[i]));
    }

    [Fact]
    public void RoundRobin_PassesAnEjectedDestinationsTurnToTheNext()
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(3);
        var cluster = fixtures.Cluster(destinations, LbType.RoundRobin, isEjected: id => id == BalancingFixtures.Id(2));

        var tally = BalancingFixtures.Tally(cluster, 300);

        Assert.False(tally.ContainsKey(BalancingFixtures.Id(2)));
        Assert.Equal(300, tally[BalancingFixtures.Id(1)] + tally[BalancingFixtures.Id(3)]);
    }

    [Fact]
    public void Random_SpreadsRoughlyEvenly()
    {
        var fixtures = new BalancingFixtures();
        var cluster = fixtures.Cluster(fixtures.Destinations(4), LbType.Random);

        var tally = BalancingFixtures.Tally(cluster, 40_000);

        // Each share has a standard deviation of 0.22 percentage points: ±2 points is more than 9 sigma.
        Assert.Equal(4, tally.Count);
        Assert.All(tally.Values, n => Assert.InRange(n / 40_000.0, 0.23, 0.27));
    }

    [Fact]
    public void LeastRequest_PrefersTheIdleDestination()
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(2);
        var busy = Enumerable.Range(0, 5).Select(_ => new MeshNet.Proxy.Balancing.DestinationLease(destinations[0])).ToList();
        var cluster = fixtures.Cluster(destinations, LbType.LeastRequest);

        var tally = BalancingFixtures.Tally(cluster, 200);

        Assert.Equal(200, tally[BalancingFixtures.Id(2)]);
        busy.ForEach(lease => lease.Complete(success: true));
        Assert.Equal(0, destinations[0].Stats.InFlight);
    }

    [Fact]
    public void LeastRequest_OverThree_GivesTheIdleOneEveryPairItIsIn()
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(3);
        foreach (var busy in new[] { destinations[0], destinations[2] })
        {
            for (var i = 0; i < 5; i++)
            {
                _ = new MeshNet.Proxy.Balancing.DestinationLease(busy);
            }
        }

        var tally = BalancingFixtures.Tally(fixtures.Cluster(destinations, LbType.LeastRequest), 30_000);

        // P2C draws a pair holding the idle destination 2 times in 3.
        Assert.InRange(tally[BalancingFixtures.Id(2)] / 30_000.0, 0.64, 0.69);
    }

    [Theory]
    [MemberData(nameof(EveryType))]
    public void Avoids_DestinationsTheRequestAlreadyTried(LbType type)
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(3);
        var cluster = fixtures.Cluster(destinations, type, hashOn: UserHeader);
        var avoid = new List<OutboundDestination> { destinations[0], destinations[1] };

        for (var i = 0; i < 200; i++)
        {
            var lease = cluster.Pick(BalancingFixtures.Request(headers: new Dictionary<string, string> { ["x-user"] = $"u{i}" }), avoid)!.Value;
            lease.Complete(success: true);
            Assert.Same(destinations[2], lease.Destination);
        }
    }

    [Theory]
    [MemberData(nameof(EveryType))]
    public void IgnoresAvoid_WhenItLeavesNothing_ButNeverPicksAnEjectedDestination(LbType type)
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(3);
        var cluster = fixtures.Cluster(destinations, type, isEjected: id => id == BalancingFixtures.Id(3), hashOn: UserHeader);
        var avoid = new List<OutboundDestination> { destinations[0], destinations[1] };

        var picked = Enumerable.Range(0, 200)
            .Select(i => cluster.Pick(BalancingFixtures.Request(headers: new Dictionary<string, string> { ["x-user"] = $"u{i}" }), avoid)!.Value)
            .Select(lease => { lease.Complete(success: true); return lease.Destination.Id; })
            .ToHashSet();

        Assert.DoesNotContain(BalancingFixtures.Id(3), picked);
        Assert.NotEmpty(picked);
    }

    [Theory]
    [MemberData(nameof(EveryType))]
    public void SkipsEjected_AndReturnsNull_WhenEveryDestinationIsEjected(LbType type)
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(4);
        var ejected = new HashSet<string> { BalancingFixtures.Id(1), BalancingFixtures.Id(2), BalancingFixtures.Id(4) };
        var cluster = fixtures.Cluster(destinations, type, isEjected: ejected.Contains, hashOn: UserHeader);

        var tally = BalancingFixtures.Tally(cluster, 100, i => BalancingFixtures.Request(headers: new Dictionary<string, string> { ["x-user"] = $"u{i}" }));
        Assert.Equal(100, tally[BalancingFixtures.Id(3)]);

        ejected.Add(BalancingFixtures.Id(3));
        Assert.Null(cluster.Pick(BalancingFixtures.Request(), avoid: null));
    }

    [Theory]
    [MemberData(nameof(EveryType))]
    public void EmptyCluster_PicksNothing(LbType type)
    {
        var fixtures = new BalancingFixtures();
        Assert.Null(fixtures.Cluster([], type, hashOn: UserHeader).Pick(BalancingFixtures.Request(), avoid: null));
    }

    [Fact]
    public void Lease_CountsInFlightUntilCompleted()
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(1);
        var cluster = fixtures.Cluster(destinations, LbType.PeakEwma);

        var first = cluster.Pick(BalancingFixtures.Request(), avoid: null)!.Value;
        var second = cluster.Pick(BalancingFixtures.Request(), avoid: null)!.Value;
        Assert.Equal(2, destinations[0].Stats.InFlight);

        fixtures.Clock.Advance(TimeSpan.FromMilliseconds(40));
        first.Complete(success: true);
        second.Complete(success: true);

        Assert.Equal(0, destinations[0].Stats.InFlight);
        Assert.Equal(0.040, destinations[0].Stats.Estimate(fixtures.Clock.GetTimestamp())!.Value, precision: 6);
    }

    [Fact]
    public async Task ConcurrentPicksAndCompletions_LeaveNothingInFlight_AndAPlausibleAverage()
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(3);
        var cluster = fixtures.Cluster(destinations, LbType.PeakEwma);
        using var start = new Barrier(4);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 20_000; i++)
            {
                var lease = cluster.Pick(BalancingFixtures.Request(), avoid: null)!.Value;
                fixtures.Clock.Advance(TimeSpan.FromTicks(10));
                lease.Complete(success: true);
            }
        })));

        Assert.All(destinations, d => Assert.Equal(0, d.Stats.InFlight));
        // No attempt can have lasted longer than all the simulated time there was: 80,000 steps of 1 µs.
        Assert.All(destinations, d => Assert.InRange(d.Stats.Estimate(fixtures.Clock.GetTimestamp()) ?? 0, 0.0, 0.080));
    }

    private static string Pick(ClusterEntry cluster)
    {
        var lease = cluster.Pick(BalancingFixtures.Request(), avoid: null)!.Value;
        lease.Complete(success: true);
        return lease.Destination.Id;
    }
}

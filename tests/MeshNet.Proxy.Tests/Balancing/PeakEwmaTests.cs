using MeshNet.Proxy.Balancing;
using Xunit.Abstractions;
using MeshNet.Proxy.Configuration;
using LbType = MeshNet.Protocol.V1.LoadBalancer.Types.Type;

namespace MeshNet.Proxy.Tests.Balancing;

public sealed class PeakEwmaTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void SlowEndpoint_GetsMarkedlyLessThanItsShare_AndRecoversWhenItIsFastAgain()
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(3);
        var slowId = BalancingFixtures.Id(3);
        var simulation = new ClosedLoop(fixtures.Clock, fixtures.Cluster(destinations, LbType.PeakEwma), clients: 8);

        var whileSlow = simulation.Run(6_000, d => d.Id == slowId ? Slow : Fast);
        output.WriteLine($"PeakEwma: slow endpoint share {Share(whileSlow, slowId):P1}");
        Assert.InRange(Share(whileSlow, slowId), 0.0, 0.10);

        // A minute of simulated time at the same latency everywhere: the old peak decays (τ = 10 s) and the
        // endpoint's own fast responses pull its average down.
        simulation.Run(60_000, _ => Fast);
        var recovered = simulation.Run(6_000, _ => Fast);
        output.WriteLine($"PeakEwma: share after recovery {Share(recovered, slowId):P1}");
        Assert.InRange(Share(recovered, slowId), 0.25, 0.42);
    }

    [Fact]
    public void RoundRobin_GivesTheSlowEndpointItsFullShare_TheBaselinePeakEwmaBeats()
    {
        var fixtures = new BalancingFixtures();
        var simulation = new ClosedLoop(fixtures.Clock, fixtures.Cluster(fixtures.Destinations(3), LbType.RoundRobin), clients: 8);

        var tally = simulation.Run(6_000, d => d.Id == BalancingFixtures.Id(3) ? Slow : Fast);
        output.WriteLine($"RoundRobin: slow endpoint share {Share(tally, BalancingFixtures.Id(3)):P1}");

        Assert.InRange(Share(tally, BalancingFixtures.Id(3)), 0.33, 0.34);
    }

    [Fact]
    public void FailuresCountAsSlow_SoAFastFailingEndpointDoesNotAttractTraffic()
    {
        var fixtures = new BalancingFixtures();
        var failingId = BalancingFixtures.Id(2);
        var simulation = new ClosedLoop(fixtures.Clock, fixtures.Cluster(fixtures.Destinations(3), LbType.PeakEwma), clients: 8)
        {
            Fails = d => d.Id == failingId,
        };

        var tally = simulation.Run(6_000, d => d.Id == failingId ? TimeSpan.FromMilliseconds(1) : Fast);
        output.WriteLine($"PeakEwma: fast-failing endpoint share {Share(tally, failingId):P1}");

        Assert.InRange(Share(tally, failingId), 0.0, 0.10);
    }

    [Fact]
    public void FreshEndpoint_IsProbedOneRequestAtATime_UntilItAnswers()
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(2);
        var cluster = fixtures.Cluster(destinations, LbType.PeakEwma);
        var warm = new DestinationLease(destinations[0]);
        fixtures.Clock.Advance(Fast);
        warm.Complete(success: true);

        var probe = new DestinationLease(destinations[1]);
        var tally = BalancingFixtures.Tally(cluster, 200);
        Assert.Equal(200, tally[BalancingFixtures.Id(1)]);

        fixtures.Clock.Advance(TimeSpan.FromMilliseconds(2));
        probe.Complete(success: true);
        tally = BalancingFixtures.Tally(cluster, 200);
        Assert.True(tally.GetValueOrDefault(BalancingFixtures.Id(2)) > 50, $"the probed endpoint got {tally.GetValueOrDefault(BalancingFixtures.Id(2))} of 200");
    }

    [Fact]
    public void Estimate_JumpsToAPeak_AndDecaysWithTheTimeConstant()
    {
        var clock = new ManualClock();
        var stats = new DestinationStats(clock);
        Complete(stats, clock, TimeSpan.FromMilliseconds(10));
        Complete(stats, clock, TimeSpan.FromMilliseconds(200));
        Assert.Equal(0.200, stats.Estimate(clock.GetTimestamp())!.Value, precision: 6);

        clock.Advance(DestinationStats.DecayTime);

        Assert.Equal(0.200 / Math.E, stats.Estimate(clock.GetTimestamp())!.Value, precision: 6);
    }

    private static void Complete(DestinationStats stats, ManualClock clock, TimeSpan latency)
    {
        var started = stats.Start();
        clock.Advance(latency);
        stats.Complete(started, success: true);
    }

    private static double Share(Dictionary<string, int> tally, string id) => tally.GetValueOrDefault(id) / (double)tally.Values.Sum();

    /// <summary>
    /// A closed-loop load of N clients in simulated time: each client sends, waits for the response (latency by
    /// destination), then sends again. The clock jumps from one completion to the next.
    /// </summary>
    private sealed class ClosedLoop(ManualClock clock, ClusterEntry cluster, int clients)
    {
        private readonly PriorityQueue<DestinationLease, long> _inFlight = new();

        public Func<OutboundDestination, bool> Fails { get; init; } = _ => false;

        public Dictionary<string, int> Run(int requests, Func<OutboundDestination, TimeSpan> latency)
        {
            var tally = new Dictionary<string, int>();
            void Send()
            {
                var lease = cluster.Pick(BalancingFixtures.Request(), avoid: null)!.Value;
                tally[lease.Destination.Id] = tally.GetValueOrDefault(lease.Destination.Id) + 1;
                _inFlight.Enqueue(lease, clock.GetTimestamp() + latency(lease.Destination).Ticks);
            }

            while (_inFlight.Count < clients)
            {
                Send();
            }

            for (var sent = clients; sent < requests; sent++)
            {
                _inFlight.TryDequeue(out var done, out var at);
                clock.Advance(TimeSpan.FromTicks(Math.Max(at - clock.GetTimestamp(), 0)));
                done.Complete(success: !Fails(done.Destination));
                Send();
            }

            return tally;
        }
    }
}

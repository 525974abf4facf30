using MeshNet.Proxy.Balancing;
using MeshNet.Proxy.Configuration;
using Microsoft.AspNetCore.Http;
using Proto = MeshNet.Protocol.V1;
using LbType = MeshNet.Protocol.V1.LoadBalancer.Types.Type;

namespace MeshNet.Proxy.Tests.Balancing;

public sealed class RingHashTests
{
    private static readonly Proto.HashOn UserHeader = new() { Header = "x-user" };

    [Fact]
    public void SameKey_AlwaysReachesTheSameDestination()
    {
        var fixtures = new BalancingFixtures();
        var cluster = fixtures.Cluster(fixtures.Destinations(5), LbType.RingHash, hashOn: UserHeader);

        for (var key = 0; key < 200; key++)
        {
            var first = Owner(cluster, $"user-{key}");
            Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal(first, Owner(cluster, $"user-{key}")));
        }
    }

    [Fact]
    public void Keys_SpreadOverEveryDestination()
    {
        var fixtures = new BalancingFixtures();
        var cluster = fixtures.Cluster(fixtures.Destinations(5), LbType.RingHash, hashOn: UserHeader);

        var owners = Enumerable.Range(0, 10_000).Select(k => Owner(cluster, $"user-{k}")).GroupBy(o => o).ToList();

        Assert.Equal(5, owners.Count);
        Assert.All(owners, g => Assert.InRange(g.Count() / 10_000.0, 0.12, 0.28));
    }

    [Fact]
    public void RemovingOneDestination_MovesOnlyItsKeys_AboutOneInN()
    {
        var fixtures = new BalancingFixtures();
        var five = fixtures.Destinations(5);
        var before = fixtures.Cluster(five, LbType.RingHash, hashOn: UserHeader);
        var after = fixtures.Cluster(five.Where(d => d.Id != BalancingFixtures.Id(3)).ToArray(), LbType.RingHash, hashOn: UserHeader);

        var moved = 0;
        for (var k = 0; k < 10_000; k++)
        {
            var was = Owner(before, $"user-{k}");
            var now = Owner(after, $"user-{k}");
            if (was != BalancingFixtures.Id(3))
            {
                Assert.Equal(was, now);
            }
            else
            {
                moved++;
            }
        }

        Assert.InRange(moved / 10_000.0, 0.12, 0.28);
    }

    [Fact]
    public void EjectedOwner_PassesItsKeysOn_WhileOtherKeysStay()
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(5);
        var ejected = new HashSet<string>();
        var cluster = fixtures.Cluster(destinations, LbType.RingHash, isEjected: ejected.Contains, hashOn: UserHeader);
        var owners = Enumerable.Range(0, 2_000).ToDictionary(k => k, k => Owner(cluster, $"user-{k}"));

        ejected.Add(BalancingFixtures.Id(2));

        foreach (var (key, owner) in owners)
        {
            var now = Owner(cluster, $"user-{key}");
            Assert.NotEqual(BalancingFixtures.Id(2), now);
            if (owner != BalancingFixtures.Id(2))
            {
                Assert.Equal(owner, now);
            }
        }

        ejected.Clear();
        Assert.All(owners, pair => Assert.Equal(pair.Value, Owner(cluster, $"user-{pair.Key}")));
    }

    [Fact]
    public void MissingKey_FallsBackToRandom()
    {
        var fixtures = new BalancingFixtures();
        var cluster = fixtures.Cluster(fixtures.Destinations(3), LbType.RingHash, hashOn: UserHeader);

        var tally = BalancingFixtures.Tally(cluster, 3_000);

        Assert.Equal(3, tally.Count);
        Assert.All(tally.Values, n => Assert.InRange(n, 800, 1200));
    }

    [Fact]
    public void HashesOnSourceIp_AndOnCookie()
    {
        var fixtures = new BalancingFixtures();
        var destinations = fixtures.Destinations(4);
        var byIp = fixtures.Cluster(destinations, LbType.RingHash, hashOn: new Proto.HashOn { SourceIp = true });
        var byCookie = fixtures.Cluster(destinations, LbType.RingHash, hashOn: new Proto.HashOn { Cookie = "session" });

        for (var i = 1; i < 50; i++)
        {
            var ip = $"192.0.2.{i}";
            var viaIp = Enumerable.Range(0, 4).Select(_ => PickId(byIp, BalancingFixtures.Request(ip))).Distinct();
            Assert.Single(viaIp);

            var cookie = BalancingFixtures.Request(headers: new Dictionary<string, string> { ["Cookie"] = $"session=s{i}; other=x{Random.Shared.Next()}" });
            var viaCookie = Enumerable.Range(0, 4).Select(_ => PickId(byCookie, cookie)).Distinct();
            Assert.Single(viaCookie);
        }

        var ipOwners = Enumerable.Range(1, 200).Select(i => PickId(byIp, BalancingFixtures.Request($"198.51.100.{i}"))).Distinct();
        Assert.True(ipOwners.Count() > 1);
    }

    [Fact]
    public void StableHash_IsFixed_SoEverySidecarBuildsTheSameRing()
    {
        // Pinned values: a change of hash function would move every key of every ring-hash cluster.
        // Reference values computed independently from the published FNV-1a and fmix64 constants.
        Assert.Equal(0xefd01f60ba992926UL, StableHash.Of(ReadOnlySpan<byte>.Empty));
        Assert.Equal(0x264807f9144be64fUL, StableHash.Of("user-1".AsSpan()));
    }

    private static string Owner(ClusterEntry cluster, string key) =>
        PickId(cluster, BalancingFixtures.Request(headers: new Dictionary<string, string> { ["x-user"] = key }));

    private static string PickId(ClusterEntry cluster, HttpContext context)
    {
        var lease = cluster.Pick(context, avoid: null)!.Value;
        lease.Complete(success: true);
        return lease.Destination.Id;
    }
}

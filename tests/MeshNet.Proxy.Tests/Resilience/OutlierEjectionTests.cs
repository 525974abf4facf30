using Microsoft.Extensions.Time.Testing;
using static MeshNet.Proxy.Tests.Resilience.Policies;

namespace MeshNet.Proxy.Tests.Resilience;

/// <summary>Ejection end to end through the outbound handler, with the sidecar's clock in the test's hand.</summary>
public sealed class OutlierEjectionTests
{
    [Fact]
    public async Task Consecutive5xx_Ejects_UntilTheEjectionEnds_ThenForTwiceAsLong()
    {
        var time = new FakeTimeProvider();
        await using var broken = await FaultBackend.StartAsync("a");
        await using var b = await FaultBackend.StartAsync("b");
        await using var c = await FaultBackend.StartAsync("c");
        broken.Behaviour = FaultBackend.Status(500);
        await using var proxy = await OutboundProxy.StartAsync(time);
        await proxy.ApplyAsync(Posts(broken, b, c).WithOutliers(consecutive5xx: 3, TimeSpan.FromSeconds(30), maxPercent: 50));

        await SendUntil(proxy, () => broken.Hits == 3);
        await proxy.SendManyAsync(30);
        Assert.Equal(3, broken.Hits);

        // Back after 30 s, fails three more times, and is out for 60 s this time.
        time.Advance(TimeSpan.FromSeconds(30));
        await SendUntil(proxy, () => broken.Hits == 6);
        time.Advance(TimeSpan.FromSeconds(30));
        await proxy.SendManyAsync(30);
        Assert.Equal(6, broken.Hits);
        time.Advance(TimeSpan.FromSeconds(30));
        await SendUntil(proxy, () => broken.Hits == 7);

        Assert.Equal(2, proxy.Resilience.Clusters.Single().Stats.Ejections);
    }

    [Fact]
    public async Task NeverEjectsMoreThanMaxEjectionPercent()
    {
        var time = new FakeTimeProvider();
        var backends = new[] { await FaultBackend.StartAsync("a"), await FaultBackend.StartAsync("b"), await FaultBackend.StartAsync("c") };
        try
        {
            foreach (var backend in backends)
            {
                backend.Behaviour = FaultBackend.Status(500);
            }

            await using var proxy = await OutboundProxy.StartAsync(time);
            // 50 % of 3: one ejection (33 %) fits, a second (67 %) does not.
            await proxy.ApplyAsync(Posts(backends).WithOutliers(consecutive5xx: 2, TimeSpan.FromSeconds(30), maxPercent: 50));

            var replies = await proxy.SendManyAsync(30);

            Assert.All(replies, r => Assert.Equal(500, r.Status));
            Assert.Equal(1, proxy.Resilience.Clusters.Single().Stats.Ejections);
            Assert.Single(proxy.Resilience.Clusters.Single().Outliers.Ejected());
            Assert.Equal(2, backends.Count(b => b.Hits > 2));
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task EveryDestinationEjected_IsAFast503NoHealthyEndpoints()
    {
        var time = new FakeTimeProvider();
        await using var a = await FaultBackend.StartAsync("a");
        await using var b = await FaultBackend.StartAsync("b");
        a.Behaviour = b.Behaviour = FaultBackend.Status(503);
        await using var proxy = await OutboundProxy.StartAsync(time);
        await proxy.ApplyAsync(Posts(a, b).WithOutliers(consecutive5xx: 0, TimeSpan.FromSeconds(30), maxPercent: 100, consecutiveGateway: 1));

        await proxy.SendManyAsync(2);
        var replies = await proxy.SendManyAsync(5);

        Assert.All(replies, r => Assert.Equal((503, "no-healthy-endpoints"), (r.Status, r.Error)));
        Assert.Equal((1, 1), (a.Hits, b.Hits));
        Assert.Equal(5, proxy.Resilience.Clusters.Single().Stats.NoHealthyEndpoints);
    }

    private static async Task SendUntil(OutboundProxy proxy, Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await proxy.SendAsync();
        }

        Assert.True(condition());
    }
}

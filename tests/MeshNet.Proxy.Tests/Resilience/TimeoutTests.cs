using System.Diagnostics;
using static MeshNet.Proxy.Tests.Resilience.Policies;

namespace MeshNet.Proxy.Tests.Resilience;

public sealed class TimeoutTests
{
    [Fact]
    public async Task PerTryTimeout_IsRetriedOnAnotherEndpoint()
    {
        await using var hung = await FaultBackend.StartAsync("a");
        await using var healthy = await FaultBackend.StartAsync("b");
        hung.Behaviour = FaultBackend.Hang();
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(hung, healthy).WithRetries(1, "connect-failure");
        // Long enough that the healthy endpoint always answers within it on a busy CI machine (200 ms did not).
        cluster.Timeouts.PerTry = Ms(1000);
        await proxy.ApplyAsync(cluster);

        var replies = await proxy.SendManyAsync(4);

        Assert.All(replies, r => Assert.Equal((200, "b"), (r.Status, r.Body)));
        Assert.InRange(hung.Hits, 1, 4);
        Assert.Equal(4, healthy.Hits);
        Assert.Equal(hung.Hits, proxy.Resilience.Clusters.Single().Stats.PerTryTimeouts);
    }

    [Fact]
    public async Task PerTryTimeout_WithoutAttemptsLeft_Is504UpstreamTimeout()
    {
        await using var hung = await FaultBackend.StartAsync("a");
        hung.Behaviour = FaultBackend.Hang();
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(hung);
        cluster.Timeouts.PerTry = Ms(200);
        await proxy.ApplyAsync(cluster);

        var reply = await proxy.SendAsync();

        Assert.Equal((504, "upstream-timeout"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task RequestTimeout_Is504WithinTheBound_AcrossRetries()
    {
        await using var a = await FaultBackend.StartAsync("a");
        await using var b = await FaultBackend.StartAsync("b");
        a.Behaviour = b.Behaviour = FaultBackend.Hang();
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(a, b).WithRetries(10, "5xx");
        cluster.Timeouts.Request = Ms(600);
        cluster.Timeouts.PerTry = Ms(250);
        await proxy.ApplyAsync(cluster);

        var clock = Stopwatch.StartNew();
        var reply = await proxy.SendAsync();
        clock.Stop();

        Assert.Equal((504, "upstream-timeout"), (reply.Status, reply.Error));
        // Loose: the point is that 10 retries of 250 ms did not run, and that it did not hang.
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        Assert.InRange(a.Hits + b.Hits, 2, 4);
        Assert.Equal(1, proxy.Resilience.Clusters.Single().Stats.RequestTimeouts);
    }
}

using static MeshNet.Proxy.Tests.Resilience.Policies;

namespace MeshNet.Proxy.Tests.Resilience;

public sealed class CircuitBreakerTests
{
    [Fact]
    public async Task MaxRequests10_With50ConcurrentSlowRequests_Refuses40AtOnce()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await FaultBackend.StartAsync("a");
        slow.Behaviour = async context =>
        {
            await release.Task;
            await Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response, "slow");
        };
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(slow);
        cluster.CircuitBreaker.MaxRequests = 10;
        await proxy.ApplyAsync(cluster);

        var requests = Enumerable.Range(0, 50).Select(_ => proxy.SendAsync()).ToList();
        // The refusals come back while the admitted ten are still held upstream: nothing queued behind them.
        var refused = new List<Reply>();
        while (refused.Count < 40)
        {
            var done = await Task.WhenAny(requests).WaitAsync(TimeSpan.FromSeconds(15));
            requests.Remove(done);
            refused.Add(await done);
        }

        for (var i = 0; i < 10; i++)
        {
            await slow.NextArrivalAsync();
        }

        Assert.All(refused, r => Assert.Equal((503, "overloaded"), (r.Status, r.Error)));
        Assert.Equal(10, slow.Hits);
        release.SetResult();
        var admitted = await Task.WhenAll(requests);
        Assert.All(admitted, r => Assert.Equal((200, "slow"), (r.Status, r.Body)));
        Assert.Equal(40, proxy.Resilience.Clusters.Single().Stats.Overflows);
    }

    [Fact]
    public async Task MaxPendingRequests_CountsRequestsBeyondMaxConnections()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await FaultBackend.StartAsync("a");
        slow.Behaviour = _ => release.Task;
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(slow);
        cluster.CircuitBreaker.MaxConnections = 2;
        cluster.CircuitBreaker.MaxPendingRequests = 3;
        await proxy.ApplyAsync(cluster);

        var requests = Enumerable.Range(0, 8).Select(_ => proxy.SendAsync()).ToList();
        var refused = new List<Reply>();
        while (refused.Count < 3)
        {
            var done = await Task.WhenAny(requests).WaitAsync(TimeSpan.FromSeconds(15));
            requests.Remove(done);
            refused.Add(await done);
        }

        Assert.All(refused, r => Assert.Equal((503, "overloaded"), (r.Status, r.Error)));
        release.SetResult();
        Assert.All(await Task.WhenAll(requests), r => Assert.Equal(200, r.Status));
    }
}

using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using static MeshNet.Proxy.Tests.Resilience.Policies;

namespace MeshNet.Proxy.Tests.Resilience;

public sealed class RetryLimitTests
{
    [Fact]
    public async Task MaxRetries_Overflow_ReturnsThePreviousFailureAtOnce()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new ConcurrentDictionary<string, int>();
        await using var backend = await FaultBackend.StartAsync("a");
        // Each request's first attempt fails; its retry is held until the test releases it.
        backend.Behaviour = async context =>
        {
            if (seen.AddOrUpdate(context.Request.Headers["x-request"].ToString(), 1, (_, n) => n + 1) == 1)
            {
                context.Response.StatusCode = 503;
                return;
            }

            await release.Task;
            await context.Response.WriteAsync("retried");
        };
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(backend).WithRetries(1, "gateway-error");
        cluster.CircuitBreaker.MaxRetries = 1;
        await proxy.ApplyAsync(cluster);

        var first = Send(proxy, "r1");
        await backend.NextArrivalAsync();
        await backend.NextArrivalAsync();
        var second = await Send(proxy, "r2").WaitAsync(TimeSpan.FromSeconds(15));
        release.SetResult();

        Assert.Equal(503, second.Status);
        Assert.Equal((200, "retried"), ((await first).Status, (await first).Body));
        Assert.Equal(1, proxy.Resilience.Clusters.Single().Stats.RetryOverflows);
    }

    [Fact]
    public async Task OneBackendFailing30Percent_ClientsSeeAtLeast995PercentSuccess_WithinTheBudget()
    {
        var random = new Random(5);
        await using var flaky = await FaultBackend.StartAsync("a");
        await using var b = await FaultBackend.StartAsync("b");
        await using var c = await FaultBackend.StartAsync("c");
        flaky.Behaviour = context =>
        {
            bool fail;
            lock (random)
            {
                fail = random.NextDouble() < 0.3;
            }

            context.Response.StatusCode = fail ? 503 : 200;
            return context.Response.WriteAsync("a");
        };
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(flaky, b, c).WithRetries(2, "gateway-error");
        cluster.Retries.BudgetPercent = 20;
        cluster.Retries.BudgetMinPerSecond = 10;
        await proxy.ApplyAsync(cluster);

        var ok = 0;
        for (var i = 0; i < 2000; i++)
        {
            if ((await proxy.SendAsync()).Status == 200)
            {
                ok++;
            }
        }

        Assert.True(ok >= 1990, $"{ok} of 2000 succeeded");
        var attempts = flaky.Hits + b.Hits + c.Hits;
        // About a third of requests meet the flaky backend first and 30 % of those fail: ~10 % retries, under 20 %.
        Assert.InRange(attempts, 2001, 2400);
        Assert.Equal(attempts - 2000, proxy.Resilience.Clusters.Single().Stats.Retries);
    }

    private static Task<Reply> Send(OutboundProxy proxy, string id)
    {
        return SendAsync();

        async Task<Reply> SendAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{proxy.Port}/");
            request.Headers.Host = "posts.blog";
            request.Headers.Add("x-request", id);
            using var response = await proxy.Client.SendAsync(request);
            return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), null);
        }
    }
}

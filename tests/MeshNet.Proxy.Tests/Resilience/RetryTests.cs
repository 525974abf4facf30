using static MeshNet.Proxy.Tests.Resilience.Policies;

namespace MeshNet.Proxy.Tests.Resilience;

public sealed class RetryTests
{
    [Fact]
    public async Task Retries_A503OnAnotherEndpoint()
    {
        await using var failing = await FaultBackend.StartAsync("a");
        await using var healthy = await FaultBackend.StartAsync("b");
        failing.Behaviour = FaultBackend.Status(503);
        await using var proxy = await OutboundProxy.StartAsync();
        await proxy.ApplyAsync(Posts(failing, healthy).WithRetries(2, "gateway-error"));

        var replies = await proxy.SendManyAsync(10);

        Assert.All(replies, r => Assert.Equal((200, "b"), (r.Status, r.Body)));
        Assert.InRange(failing.Hits, 1, 10);
        // Each request reached the healthy endpoint exactly once: a retry never went back to the failing one.
        Assert.Equal(10, healthy.Hits);
        Assert.Equal(failing.Hits, (int)proxy.Resilience.Clusters.Single().Stats.Retries);
    }

    [Fact]
    public async Task Retries_ARefusedConnection()
    {
        await using var healthy = await FaultBackend.StartAsync("b");
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(healthy).WithRetries(1, "connect-failure");
        cluster.Endpoints.Add(Infrastructure.MeshConfig.Plain(ForwardingTests.ClosedPort()));
        await proxy.ApplyAsync(cluster);

        var replies = await proxy.SendManyAsync(6);

        Assert.All(replies, r => Assert.Equal((200, "b"), (r.Status, r.Body)));
        Assert.True(proxy.Resilience.Clusters.Single().Stats.Retries >= 1);
    }

    [Fact]
    public async Task RetriesPost_AfterARefusedConnection_WithoutNonIdempotent()
    {
        await using var healthy = await FaultBackend.StartAsync("b");
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(healthy).WithRetries(1, "connect-failure");
        cluster.Endpoints.Add(Infrastructure.MeshConfig.Plain(ForwardingTests.ClosedPort()));
        cluster.LoadBalancer = new MeshNet.Protocol.V1.LoadBalancer { Type = MeshNet.Protocol.V1.LoadBalancer.Types.Type.RoundRobin };
        await proxy.ApplyAsync(cluster);

        var replies = new List<Reply>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add(await proxy.SendAsync(method: HttpMethod.Post, body: "post"u8.ToArray()));
        }

        // Nothing reached the refused endpoint, so sending the POST elsewhere cannot repeat a side effect.
        Assert.All(replies, r => Assert.Equal((200, "b"), (r.Status, r.Body)));
        Assert.Equal(4, healthy.Hits);
        Assert.True(proxy.Resilience.Clusters.Single().Stats.Retries >= 1);
    }

    [Fact]
    public async Task DoesNotRetry_AResetWhenTheConditionIsNotListed()
    {
        await using var failing = await FaultBackend.StartAsync("a");
        failing.Behaviour = FaultBackend.Reset();
        await using var healthy = await FaultBackend.StartAsync("b");
        await using var proxy = await OutboundProxy.StartAsync();
        await proxy.ApplyAsync(Posts(failing, healthy).WithRetries(2, "retriable-status-codes"));

        var replies = await proxy.SendManyAsync(4);

        Assert.Equal(2, replies.Count(r => r.Status == 502 && r.Error == "upstream-failure"));
        Assert.Equal(4, failing.Hits + healthy.Hits);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RetriesPost_OnlyWhenNonIdempotentIsAllowed(bool nonIdempotent)
    {
        await using var failing = await FaultBackend.StartAsync("a");
        await using var healthy = await FaultBackend.StartAsync("b");
        failing.Behaviour = FaultBackend.Status(503);
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(failing, healthy).WithRetries(2, "gateway-error");
        cluster.Retries.NonIdempotent = nonIdempotent;
        await proxy.ApplyAsync(cluster);

        var replies = new List<Reply>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add(await proxy.SendAsync(method: HttpMethod.Post, body: "post"u8.ToArray()));
        }

        if (nonIdempotent)
        {
            Assert.All(replies, r => Assert.Equal(200, r.Status));
            Assert.Equal(4, healthy.Hits);
        }
        else
        {
            Assert.Equal(2, replies.Count(r => r.Status == 503));
            Assert.Equal(4, failing.Hits + healthy.Hits);
        }
    }

    [Fact]
    public async Task ReplaysTheSameBody_OnRetry()
    {
        await using var failing = await FaultBackend.StartAsync("a");
        await using var healthy = await FaultBackend.StartAsync("b");
        failing.Behaviour = FaultBackend.Status(503);
        await using var proxy = await OutboundProxy.StartAsync();
        await proxy.ApplyAsync(Posts(failing, healthy).WithRetries(1, "5xx"));
        var body = new byte[40_000];
        Random.Shared.NextBytes(body);

        var first = await proxy.SendAsync(method: HttpMethod.Put, body: body);
        var second = await proxy.SendAsync(method: HttpMethod.Put, body: body);

        Assert.Equal((200, 200), (first.Status, second.Status));
        Assert.Equal(1, failing.Hits);
        Assert.Equal(2, healthy.Hits);
        Assert.All(failing.Bodies.Concat(healthy.Bodies), received => Assert.Equal(body, received));
    }

    [Fact]
    public async Task SendsABodyOverTheReplayLimitOnce()
    {
        await using var failing = await FaultBackend.StartAsync("a");
        await using var healthy = await FaultBackend.StartAsync("b");
        failing.Behaviour = FaultBackend.Status(503);
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(failing, healthy).WithRetries(2, "5xx");
        cluster.Retries.MaxReplayBodyBytes = 1024;
        await proxy.ApplyAsync(cluster);
        var body = new byte[4096];
        Random.Shared.NextBytes(body);

        var first = await proxy.SendAsync(method: HttpMethod.Put, body: body);
        var second = await proxy.SendAsync(method: HttpMethod.Put, body: body);

        Assert.Equal([200, 503], new[] { first.Status, second.Status }.Order());
        Assert.Equal((1, 1), (failing.Hits, healthy.Hits));
        Assert.All(failing.Bodies.Concat(healthy.Bodies), received => Assert.Equal(body, received));
    }

    [Fact]
    public async Task RetryBudget_CapsRetriesAndLabelsTheRefusal()
    {
        var backends = new[] { await FaultBackend.StartAsync("a"), await FaultBackend.StartAsync("b"), await FaultBackend.StartAsync("c") };
        try
        {
            foreach (var backend in backends)
            {
                backend.Behaviour = FaultBackend.Status(503);
            }

            await using var proxy = await OutboundProxy.StartAsync();
            var cluster = Posts(backends).WithRetries(3, "gateway-error");
            cluster.Retries.BudgetPercent = 20;
            cluster.Retries.BudgetMinPerSecond = 0;
            await proxy.ApplyAsync(cluster);

            var replies = await proxy.SendManyAsync(50);

            // Unbudgeted, 50 requests would make 200 attempts; 20 % allows about 10 retries.
            var attempts = backends.Sum(b => b.Hits);
            Assert.InRange(attempts, 50, 61);
            Assert.All(replies, r => Assert.Equal(503, r.Status));
            Assert.Contains(replies, r => r.Error == "retry-budget-exhausted");
            var stats = proxy.Resilience.Clusters.Single().Stats;
            Assert.Equal(attempts - 50, stats.Retries);
            Assert.True(stats.RetryBudgetExhausted > 0);
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
    public async Task RetryBudget_MinPerSecond_AllowsRetriesOnAQuietCluster()
    {
        await using var failing = await FaultBackend.StartAsync("a");
        await using var healthy = await FaultBackend.StartAsync("b");
        failing.Behaviour = FaultBackend.Status(503);
        await using var proxy = await OutboundProxy.StartAsync();
        var cluster = Posts(failing, healthy).WithRetries(1, "gateway-error");
        cluster.Retries.BudgetPercent = 1;
        cluster.Retries.BudgetMinPerSecond = 100;
        await proxy.ApplyAsync(cluster);

        // The first request goes to the failing endpoint: 1 % of one request allows nothing, the minimum does.
        var reply = await proxy.SendAsync();

        Assert.Equal((200, "b"), (reply.Status, reply.Body));
    }
}

using System.Text.Json;
using Grpc.Net.Client;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Echo;
using MeshNet.Proxy.Tests.Infrastructure;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests.Resilience;

/// <summary>Resilience through the whole sidecar process composition: discovery stream, listeners, admin port.</summary>
public sealed class SidecarResilienceTests
{
    [Fact]
    public async Task Grpc_IsRetriedAfterARefusedConnection_ItsStreamedBodyUnread()
    {
        await using var app = await Backend.StartAsync("echo-0");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        var cluster = Cluster("blog", "echo", 9090, Plain(ForwardingTests.ClosedPort()), Plain(app.Port));
        cluster.AppProtocol = "grpc";
        cluster.LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.RoundRobin };
        // gRPC calls are POSTs: retried only when the policy allows non-idempotent methods.
        cluster.Retries = new RetryPolicy { Attempts = 1, RetryOn = { "connect-failure" }, NonIdempotent = true };
        await Sidecar.AcceptAsync(controlPlane, Full("1", [VirtualHost("blog", "echo", 9090, "blog")], [cluster]));

        using var channel = GrpcChannel.ForAddress("http://echo.blog:9090", new GrpcChannelOptions { HttpHandler = sidecar.OutboundConnector() });
        var client = new Echo.Echo.EchoClient(channel);
        var replies = new List<EchoReply>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add(await client.SayAsync(new EchoRequest { Text = $"hello {i}" }));
        }

        Assert.Equal(["hello 0", "hello 1", "hello 2", "hello 3"], replies.Select(r => r.Text));
        Assert.All(replies, r => Assert.Equal("echo-0", r.ServedBy));
    }

    [Fact]
    public async Task Http2_RetriesA503OnAnotherEndpoint_BeforeAnythingIsSent()
    {
        await using var failing = await FaultBackend.StartAsync("a");
        await using var healthy = await FaultBackend.StartAsync("b");
        failing.Behaviour = FaultBackend.Status(503);
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        var cluster = Policies.Posts(failing, healthy).WithRetries(1, "gateway-error");
        await Sidecar.AcceptAsync(controlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [cluster]));

        var replies = new List<(System.Net.HttpStatusCode Status, string Body, string? Error, Version Version)>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add(await sidecar.OutboundAsync("posts", "/", System.Net.HttpVersion.Version20));
        }

        Assert.All(replies, r => Assert.Equal((System.Net.HttpStatusCode.OK, "b", System.Net.HttpVersion.Version20), (r.Status, r.Body, r.Version)));
        Assert.Equal(4, healthy.Hits);
    }

    [Fact]
    public async Task Admin_Stats_CountsRequestsRetriesAndOverflowsPerCluster()
    {
        await using var app = await Backend.StartAsync("posts-0");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        var cluster = Cluster("blog", "posts", 80, Plain(ForwardingTests.ClosedPort()), Plain(app.Port));
        cluster.LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.RoundRobin };
        cluster.Retries = new RetryPolicy { Attempts = 1, RetryOn = { "connect-failure" } };
        await Sidecar.AcceptAsync(controlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [cluster]));

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await sidecar.OutboundAsync("posts")).Status);
        }

        using var stats = JsonDocument.Parse(await sidecar.Client.GetStringAsync($"http://127.0.0.1:{sidecar.AdminPort}/stats"));
        var posts = stats.RootElement.GetProperty("clusters").EnumerateArray().Single(c => c.GetProperty("name").GetString() == ClusterName("blog", "posts", 80));
        Assert.Equal(4, posts.GetProperty("requests").GetInt64());
        Assert.InRange(posts.GetProperty("retries").GetInt64(), 1, 4);
        Assert.Equal(posts.GetProperty("retries").GetInt64() + 4, posts.GetProperty("attempts").GetInt64());
        Assert.Equal(0, posts.GetProperty("overflows").GetInt64());
        Assert.Equal(0, posts.GetProperty("activeRequests").GetInt32());
    }
}

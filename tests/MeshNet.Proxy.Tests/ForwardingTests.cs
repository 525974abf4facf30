using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Echo;
using MeshNet.Proxy.Tests.Infrastructure;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests;

public sealed class ForwardingTests
{
    [Fact]
    public async Task RoundRobins_OverThreeBackends()
    {
        await using var a = await Backend.StartAsync("a");
        await using var b = await Backend.StartAsync("b");
        await using var c = await Backend.StartAsync("c");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        var cluster = Cluster("blog", "posts", 80, Plain(a.Port), Plain(b.Port), Plain(c.Port));
        // PEAK_EWMA is the default balancer; this test is about the strict rotation of ROUND_ROBIN.
        cluster.LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.RoundRobin };
        await Sidecar.AcceptAsync(controlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [cluster]));

        var served = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var (status, body, _, _) = await sidecar.OutboundAsync("posts");
            Assert.Equal(HttpStatusCode.OK, status);
            served.Add(body.Split('|')[0]);
        }

        Assert.Equal(["a", "b", "c"], served.Distinct().Order());
        Assert.All(served.GroupBy(s => s), g => Assert.Equal(10, g.Count()));
        // Strict rotation: no backend twice in a row.
        Assert.All(served.Zip(served.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
    }

    [Fact]
    public async Task ClusterWithoutEndpoints_Is503NoHealthyEndpoints()
    {
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80)]));

        var http1 = await sidecar.OutboundAsync("posts");
        var http2 = await sidecar.OutboundAsync("posts", "/", HttpVersion.Version20);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "no-healthy-endpoints"), (http1.Status, http1.Error));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "no-healthy-endpoints"), (http2.Status, http2.Error));
    }

    [Fact]
    public async Task RefusedEndpoint_Is503UpstreamConnectFailure_NotAHang()
    {
        var closedPort = ClosedPort();
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Plain(closedPort))]));

        var (status, _, error, _) = await sidecar.OutboundAsync("posts");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("upstream-connect-failure", error);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Meshed_OutboundToInboundToApp_StampsAndStripsTargetPort(string version)
    {
        await using var app = await Backend.StartAsync("posts-v1");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        // The app port is deliberately not the sidecar's default: only the header can make it reach the app.
        await using var sidecar = await Sidecar.StartAsync(controlPlane, appPort: ClosedPort());
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, Full("1",
            [VirtualHost("blog", "posts", 80, "blog")],
            [Cluster("blog", "posts", 80, Meshed(sidecar.InboundPort, app.Port))]));

        var (status, body, _, _) = await sidecar.OutboundAsync("posts.blog", "/p", Version.Parse(version));

        Assert.Equal(HttpStatusCode.OK, status);
        var protocol = version == "2.0" ? "HTTP/2" : "HTTP/1.1";
        // The app sees the original Host, the caller's HTTP version and no mesh header.
        Assert.Equal($"posts-v1|{protocol}|posts.blog||/p", body);
    }

    [Fact]
    public async Task Grpc_PassesThroughOutboundAndInbound_WithTrailersAndStatus()
    {
        await using var app = await Backend.StartAsync("echo-0");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        var cluster = Cluster("blog", "echo", 9090, Meshed(sidecar.InboundPort, app.Port));
        cluster.AppProtocol = "grpc";
        await Sidecar.AcceptAsync(controlPlane, Full("1", [VirtualHost("blog", "echo", 9090, "blog")], [cluster]));

        using var channel = GrpcChannel.ForAddress("http://echo.blog:9090", new GrpcChannelOptions { HttpHandler = sidecar.OutboundConnector() });
        var client = new Echo.Echo.EchoClient(channel);

        var call = client.SayAsync(new EchoRequest { Text = "hello" });
        var reply = await call;
        var trailers = call.GetTrailers();
        var failure = await Assert.ThrowsAsync<RpcException>(async () => await client.SayAsync(new EchoRequest { FailWith = "no such post" }));
        var streamed = new List<string>();
        using (var stream = client.Count(new EchoRequest { Text = "n", Times = 3 }))
        {
            await foreach (var item in stream.ResponseStream.ReadAllAsync())
            {
                streamed.Add(item.Text);
            }
        }

        Assert.Equal(("hello", "echo-0", "HTTP/2"), (reply.Text, reply.ServedBy, reply.Protocol));
        Assert.Equal("echo-0", trailers.GetValue("x-served-by"));
        Assert.Equal(StatusCode.NotFound, failure.StatusCode);
        Assert.Equal("no such post", failure.Status.Detail);
        Assert.Equal(["n0", "n1", "n2"], streamed);
    }

    [Fact]
    public async Task Grpc_CrossesTwoSidecars_ToTheTargetPortTheControlPlaneResolved()
    {
        await using var app = await Backend.StartAsync("echo-remote");
        await using var clientPlane = await FakeControlPlane.StartAsync();
        await using var serverPlane = await FakeControlPlane.StartAsync();
        await using var client = await Sidecar.StartAsync(clientPlane);
        // The server sidecar's default app port is closed: only the stamped target port reaches the app.
        await using var server = await Sidecar.StartAsync(serverPlane, appPort: ClosedPort());
        await clientPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(clientPlane, Full("1", [VirtualHost("blog", "echo", 9090, "blog")], [Cluster("blog", "echo", 9090, Meshed(server.InboundPort, app.Port))]));

        using var channel = GrpcChannel.ForAddress("http://echo.blog.svc.cluster.local:9090", new GrpcChannelOptions { HttpHandler = client.OutboundConnector() });
        var reply = await new Echo.Echo.EchoClient(channel).SayAsync(new EchoRequest { Text = "across" });

        Assert.Equal(("across", "echo-remote"), (reply.Text, reply.ServedBy));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("inbound")]
    [InlineData("outbound")]
    [InlineData("admin")]
    public async Task Inbound_RejectsBadTargetPort(string value)
    {
        await using var app = await Backend.StartAsync("app");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane, appPort: app.Port);
        var port = value switch
        {
            "inbound" => sidecar.InboundPort.ToString(),
            "outbound" => sidecar.OutboundPort.ToString(),
            "admin" => sidecar.AdminPort.ToString(),
            _ => value,
        };

        var (status, _, error, _) = await sidecar.SendAsync(sidecar.InboundPort, "posts.blog", "/", headers: new Dictionary<string, string> { ["x-meshnet-target-port"] = port });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("bad-target-port", error);
    }

    [Fact]
    public async Task Inbound_WithoutHeader_DeliversToTheAppPort()
    {
        await using var app = await Backend.StartAsync("app");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane, appPort: app.Port);

        var (status, body, _, _) = await sidecar.SendAsync(sidecar.InboundPort, "posts.blog", "/direct", HttpVersion.Version20);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("app|HTTP/2|posts.blog||/direct", body);
    }

    /// <summary>A port nothing listens on: bound once to learn a free number, then released.</summary>
    /// <summary>A loopback port nobody listens on (bound, then released).</summary>
    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

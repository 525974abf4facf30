using System.Net;
using System.Net.Sockets;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Infrastructure;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests;

public sealed class DiscoveryStreamTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task FirstRequest_RegistersTheWorkload()
    {
        await using var app = await Backend.StartAsync("app");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane, appPort: app.Port);

        var first = await controlPlane.NextRequestAsync();

        Assert.Equal("", first.VersionInfo);
        Assert.Equal("", first.ResponseNonce);
        var node = first.Node;
        Assert.Equal(("client-0", "blog", "client-sa"), (node.Name, node.Namespace, node.ServiceAccount));
        Assert.Equal("client", node.Labels["app"]);
        Assert.Equal(("127.0.0.1", (uint)sidecar.InboundPort), (node.Address, node.InboundPort));
        Assert.Equal([("http", (uint)app.Port)], node.Ports.Select(p => (p.Name, p.Port)).ToArray());
        Assert.True(node.Ready);
    }

    [Fact]
    public async Task Nack_KeepsTheOldRoutesServing_AndALaterDeltaApplies()
    {
        await using var v1 = await Backend.StartAsync("v1");
        await using var v2 = await Backend.StartAsync("v2");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Plain(v1.Port))]));

        var broken = VirtualHost("blog", "posts", 80, "blog");
        broken.Routes[0].Clusters[0].Cluster = "outbound|80||missing.blog.svc.cluster.local";
        var nack = await Sidecar.PushAsync(controlPlane, Delta("2", virtualHosts: [broken], clusters: [Cluster("blog", "posts", 80, Plain(v2.Port))]));

        Assert.Equal("1", nack.VersionInfo);
        Assert.Equal("route \"default\" of virtual host \"posts.blog.svc.cluster.local:80\" references unknown cluster \"outbound|80||missing.blog.svc.cluster.local\"", nack.ErrorDetail.Message);
        Assert.StartsWith("v1|", (await sidecar.OutboundAsync("posts")).Body, StringComparison.Ordinal);

        // The next delta is against what was ACKed (version 1), as the control plane computes it.
        await Sidecar.AcceptAsync(controlPlane, Delta("3", clusters: [Cluster("blog", "posts", 80, Plain(v2.Port))]));
        Assert.StartsWith("v2|", (await sidecar.OutboundAsync("posts")).Body, StringComparison.Ordinal);

        await Sidecar.AcceptAsync(controlPlane, Delta("4", removedVirtualHosts: [$"{Fqdn("blog", "posts")}:80"], removedClusters: [ClusterName("blog", "posts", 80)]));
        Assert.Equal(HttpStatusCode.NotFound, (await sidecar.OutboundAsync("posts")).Status);
    }

    [Fact]
    public async Task Ready_IsServiceUnavailable_UntilTheFirstConfigIsApplied()
    {
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        var readyUrl = $"http://127.0.0.1:{sidecar.AdminPort}/ready";

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await sidecar.Client.GetAsync(readyUrl)).StatusCode);
        var nack = await Sidecar.PushAsync(controlPlane, Delta(""));
        Assert.Equal("response has an empty version_info", nack.ErrorDetail.Message);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await sidecar.Client.GetAsync(readyUrl)).StatusCode);

        await Sidecar.AcceptAsync(controlPlane, Full("7", [], []));
        Assert.Equal(HttpStatusCode.OK, (await sidecar.Client.GetAsync(readyUrl)).StatusCode);
    }

    [Fact]
    public async Task ReadinessChange_IsReportedAsWorkloadStatus_NotAsAnAck()
    {
        var appPort = FreePort();
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane, appPort: appPort, readinessPath: "/ready");

        var first = await controlPlane.NextRequestAsync();
        Assert.False(first.Node.Ready);

        await using var app = await Backend.StartAsync("app", appPort);
        var status = await controlPlane.NextRequestAsync();

        Assert.True(status.Status.Ready);
        Assert.Equal("", status.ResponseNonce);
    }

    [Fact]
    public async Task Reconnects_AfterControlPlaneRestart_ServingTheLastGoodConfigMeanwhile()
    {
        await using var v1 = await Backend.StartAsync("v1");
        await using var v2 = await Backend.StartAsync("v2");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Plain(v1.Port))]));

        await controlPlane.StopAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.StartsWith("v1|", (await sidecar.OutboundAsync("posts")).Body, StringComparison.Ordinal);
        }

        await controlPlane.RestartAsync();
        var hello = await NextNodeRequestAsync(controlPlane);
        Assert.Equal("1", hello.VersionInfo);
        Assert.Equal("client-0", hello.Node.Name);

        // An invalid full state on the new stream does not replace the last good config...
        var broken = Full("2", [VirtualHost("blog", "posts", 80, "blog")], []);
        var nack = await Sidecar.PushAsync(controlPlane, broken);
        Assert.Equal("1", nack.VersionInfo);
        Assert.StartsWith("v1|", (await sidecar.OutboundAsync("posts")).Body, StringComparison.Ordinal);

        // ...a valid one does, and traffic converges on it.
        await Sidecar.AcceptAsync(controlPlane, Full("3", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Plain(v2.Port))]));
        Assert.StartsWith("v2|", (await sidecar.OutboundAsync("posts")).Body, StringComparison.Ordinal);
    }

    /// <summary>The first request of a new stream (carries the Node), skipping anything left from the old one.</summary>
    private static async Task<DiscoveryRequest> NextNodeRequestAsync(FakeControlPlane controlPlane)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            deadline.Token.ThrowIfCancellationRequested();
            var request = await controlPlane.NextRequestAsync();
            if (request.Node is not null)
            {
                return request;
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

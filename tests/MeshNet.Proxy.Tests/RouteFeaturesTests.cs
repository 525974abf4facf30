using System.Net;
using System.Security.Cryptography;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Infrastructure;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests;

public sealed class RouteFeaturesTests
{
    [Fact]
    public async Task PathPrefixRoutes_FirstMatchWins()
    {
        await using var api = await Backend.StartAsync("api");
        await using var web = await Backend.StartAsync("web");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        var virtualHost = VirtualHost("blog", "frontend", 80, "blog");
        var apiRoute = new Route { Name = "api", Match = new RouteMatch { PathPrefix = "/api" } };
        apiRoute.Clusters.Add(new WeightedCluster { Cluster = ClusterName("blog", "api", 80), Weight = 1 });
        virtualHost.Routes.Insert(0, apiRoute);
        await Sidecar.AcceptAsync(controlPlane, Full("1", [virtualHost], [Cluster("blog", "frontend", 80, Plain(web.Port)), Cluster("blog", "api", 80, Plain(api.Port))]));

        Assert.StartsWith("api|", (await sidecar.OutboundAsync("frontend", "/api/users")).Body, StringComparison.Ordinal);
        Assert.StartsWith("web|", (await sidecar.OutboundAsync("frontend", "/home")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WeightedClusters_SplitTraffic_AndWeightZeroGetsNone()
    {
        await using var stable = await Backend.StartAsync("stable");
        await using var canary = await Backend.StartAsync("canary");
        await using var off = await Backend.StartAsync("off");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        var virtualHost = VirtualHost("blog", "posts", 80, "blog");
        var clusters = virtualHost.Routes[0].Clusters;
        clusters.Clear();
        clusters.Add(new WeightedCluster { Cluster = "stable", Weight = 50 });
        clusters.Add(new WeightedCluster { Cluster = "canary", Weight = 50 });
        clusters.Add(new WeightedCluster { Cluster = "off", Weight = 0 });
        Cluster Named(string name, Backend backend)
        {
            var cluster = Cluster("blog", "posts", 80, Plain(backend.Port));
            cluster.Name = name;
            return cluster;
        }

        await Sidecar.AcceptAsync(controlPlane, Full("1", [virtualHost], [Named("stable", stable), Named("canary", canary), Named("off", off)]));

        var served = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            served.Add((await sidecar.OutboundAsync("posts")).Body.Split('|')[0]);
        }

        // With 50/50 odds, missing either side in 200 draws has probability 2^-199.
        Assert.Contains("stable", served);
        Assert.Contains("canary", served);
        Assert.DoesNotContain("off", served);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task LargeBody_StreamsThroughBothHops_Intact(string version)
    {
        await using var app = await Backend.StartAsync("app");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Meshed(sidecar.InboundPort, app.Port))]));
        var payload = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{sidecar.OutboundPort}/echo")
        {
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(payload),
        };
        request.Headers.Host = "posts.blog";
        using var response = await sidecar.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task AppSuppliedTargetPort_IsDropped_TowardAnUnmeshedEndpoint()
    {
        await using var app = await Backend.StartAsync("plain");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Plain(app.Port))]));

        var (_, body, _, _) = await sidecar.SendAsync(sidecar.OutboundPort, "posts", "/", headers: new Dictionary<string, string> { ["x-meshnet-target-port"] = "22" });

        Assert.Equal("plain|HTTP/1.1|posts||/", body);
    }

    [Fact]
    public async Task Inbound_UsesTheConfiguredDefaultPort_WithoutAppPortFlag()
    {
        await using var app = await Backend.StartAsync("app");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();

        var before = await sidecar.SendAsync(sidecar.InboundPort, "posts.blog");
        await Sidecar.AcceptAsync(controlPlane, Full("1", [], [], new Inbound { DefaultPort = (uint)app.Port }));
        var after = await sidecar.SendAsync(sidecar.InboundPort, "posts.blog");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "no-app-port"), (before.Status, before.Error));
        Assert.Equal("app|HTTP/1.1|posts.blog||/", after.Body);
    }
}

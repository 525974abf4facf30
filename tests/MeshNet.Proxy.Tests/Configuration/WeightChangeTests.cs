using System.Net;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests.Configuration;

public sealed class WeightChangeTests
{
    [Fact]
    public async Task NewWeights_ApplyToNewRequests_WithTheSameYarpClientsAndConnections()
    {
        await using var stable = await Backend.StartAsync("stable");
        await using var canary = await Backend.StartAsync("canary");
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, Full("1", [Split(100, 0)], [Named("stable", stable), Named("canary", canary)]));
        Assert.All(await ServedAsync(sidecar, 20), s => Assert.Equal("stable", s));
        var lookup = sidecar.Services.GetRequiredService<IProxyStateLookup>();
        var clients = Clients(lookup);

        await Sidecar.AcceptAsync(controlPlane, Delta("2", virtualHosts: [Split(0, 100)]));

        Assert.All(await ServedAsync(sidecar, 20), s => Assert.Equal("canary", s));
        Assert.Equal(clients, Clients(lookup));
    }

    private static (object Stable, object Canary) Clients(IProxyStateLookup lookup)
    {
        Assert.True(lookup.TryGetCluster("stable", out var stable));
        Assert.True(lookup.TryGetCluster("canary", out var canary));
        return (stable.Model.HttpClient, canary.Model.HttpClient);
    }

    private static async Task<List<string>> ServedAsync(Sidecar sidecar, int count)
    {
        var served = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (status, body, _, _) = await sidecar.OutboundAsync("posts");
            Assert.Equal(HttpStatusCode.OK, status);
            served.Add(body.Split('|')[0]);
        }

        return served;
    }

    private static VirtualHost Split(uint stable, uint canary)
    {
        var virtualHost = VirtualHost("blog", "posts", 80, "blog");
        var clusters = virtualHost.Routes[0].Clusters;
        clusters.Clear();
        clusters.Add(new WeightedCluster { Cluster = "stable", Weight = stable });
        clusters.Add(new WeightedCluster { Cluster = "canary", Weight = canary });
        return virtualHost;
    }

    private static Cluster Named(string name, Backend backend)
    {
        var cluster = Cluster("blog", "posts", 80, Plain(backend.Port));
        cluster.Name = name;
        return cluster;
    }
}

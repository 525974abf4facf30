using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Discovery;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Tests;

public sealed class DeltaBuilderTests
{
    private static Cluster Cluster(string name, params string[] addresses)
    {
        var cluster = new Cluster { Name = name, Port = 80 };
        cluster.Endpoints.AddRange(addresses.Select(a => new Protocol.V1.Endpoint { Address = a, Port = 8080 }));
        return cluster;
    }

    private static VirtualHost Host(string name) => new() { Name = name, Domains = { name } };

    [Fact]
    public void Sends_OnlyChangedResources_AndRemovedNames()
    {
        var acked = new ProxyConfig([Host("a:80"), Host("b:80")], [Cluster("a", "1.1.1.1"), Cluster("b", "2.2.2.2")], new Inbound { DefaultPort = 8080 });
        var next = acked with
        {
            VirtualHosts = [Host("a:80"), Host("c:80")],
            Clusters = [Cluster("a", "1.1.1.1", "1.1.1.2"), Cluster("b", "2.2.2.2")],
        };

        var delta = DeltaBuilder.Delta(acked, new VersionedConfig("7", next), "3");

        Assert.False(delta.FullState);
        Assert.Equal("7", delta.VersionInfo);
        Assert.Equal("3", delta.Nonce);
        Assert.Equal(["c:80"], delta.VirtualHosts.Select(h => h.Name));
        Assert.Equal(["b:80"], delta.RemovedVirtualHosts);
        Assert.Equal(["a"], delta.Clusters.Select(c => c.Name));
        Assert.Empty(delta.RemovedClusters);
        Assert.Null(delta.Inbound);
    }

    [Fact]
    public void Includes_Inbound_OnlyWhenItChanged()
    {
        var acked = new ProxyConfig([], [], new Inbound { DefaultPort = 8080 });
        var next = acked with { Inbound = new Inbound { DefaultPort = 9090 } };

        Assert.Equal(9090u, DeltaBuilder.Delta(acked, new VersionedConfig("2", next), "1").Inbound.DefaultPort);
    }

    [Fact]
    public void Sends_Everything_InAFullState()
    {
        var config = new ProxyConfig([Host("a:80")], [Cluster("a", "1.1.1.1")], new Inbound { DefaultPort = 8080 });

        var full = DeltaBuilder.Full(new VersionedConfig("1", config), "1");

        Assert.True(full.FullState);
        Assert.Single(full.VirtualHosts);
        Assert.Single(full.Clusters);
        Assert.Equal(8080u, full.Inbound.DefaultPort);
    }
}

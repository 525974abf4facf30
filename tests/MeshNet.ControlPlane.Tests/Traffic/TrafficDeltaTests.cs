using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Discovery;
using MeshNet.Model.Traffic;
using static MeshNet.ControlPlane.Tests.TestResources;
using static MeshNet.ControlPlane.Tests.Traffic.TrafficResources;

namespace MeshNet.ControlPlane.Tests.Traffic;

/// <summary>What a sidecar is sent when a traffic resource changes: only what that change touches.</summary>
public sealed class TrafficDeltaTests
{
    private static readonly TrafficRoute Canary9010 = Route("posts-canary", "posts", Always(Subset("version=v1", 90), Subset("version=v2", 10)));

    [Fact]
    public void Sends_OnlyTheVirtualHost_WhenARoutesWeightsChange()
    {
        var compiler = new MeshConfigCompiler();
        var before = Index(Canary(Canary9010, Service("blog", "users", "app=users")));
        var acked = compiler.Compile(before, Frontend);
        var compilations = compiler.ServiceCompilations;

        var next = compiler.Compile(Apply(before, Canary9010 with { Rules = [Always(Subset("version=v1", 50), Subset("version=v2", 50))] }), Frontend);
        var delta = DeltaBuilder.Delta(acked, new VersionedConfig("2", next), "2");

        Assert.True(acked.Clusters == next.Clusters, "the cluster list is the same instance");
        Assert.Equal(compilations + 1, compiler.ServiceCompilations);
        Assert.Empty(delta.Clusters);
        Assert.Empty(delta.RemovedClusters);
        Assert.Empty(delta.RemovedVirtualHosts);
        var host = Assert.Single(delta.VirtualHosts);
        Assert.Equal(("blog/posts", 50u), (host.Service, host.Routes[0].Clusters[1].Weight));
    }

    [Fact]
    public void Sends_OnlyTheTargetsClusters_WhenAPolicyChanges()
    {
        var compiler = new MeshConfigCompiler();
        var policy = Policy("posts", timeouts: new TimeoutSettings(TimeSpan.FromSeconds(2), null, null, null));
        var before = Index(Canary(Canary9010, policy, Service("blog", "users", "app=users")));
        var acked = compiler.Compile(before, Frontend);

        var next = compiler.Compile(Apply(before, policy with { Timeouts = new TimeoutSettings(TimeSpan.FromSeconds(3), null, null, null) }), Frontend);
        var delta = DeltaBuilder.Delta(acked, new VersionedConfig("2", next), "2");

        Assert.Empty(delta.VirtualHosts);
        Assert.Equal(
            ["outbound|80|version=v1|posts.blog.svc.cluster.local", "outbound|80|version=v2|posts.blog.svc.cluster.local", "outbound|80||posts.blog.svc.cluster.local"],
            delta.Clusters.Select(c => c.Name));
        Assert.All(delta.Clusters, c => Assert.Equal(TimeSpan.FromSeconds(3), c.Timeouts.Request.ToTimeSpan()));
    }

    [Fact]
    public void Sends_NewSubsetClusters_AndTheirRemoval_WithTheRoute()
    {
        var compiler = new MeshConfigCompiler();
        var before = Index(Canary());
        var acked = compiler.Compile(before, Frontend);

        var withRoute = Apply(before, Canary9010);
        var next = compiler.Compile(withRoute, Frontend);
        var added = DeltaBuilder.Delta(acked, new VersionedConfig("2", next), "2");
        var removed = DeltaBuilder.Delta(next, new VersionedConfig("3", compiler.Compile(Delete(withRoute, Canary9010.Key), Frontend)), "3");

        Assert.Equal(2, added.Clusters.Count);
        Assert.Single(added.VirtualHosts);
        Assert.Equal(2, removed.RemovedClusters.Count);
        Assert.Single(removed.VirtualHosts);
    }
}

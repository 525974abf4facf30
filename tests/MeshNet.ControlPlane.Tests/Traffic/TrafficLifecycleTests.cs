using MeshNet.ControlPlane.Compilation;
using MeshNet.Model;
using MeshNet.Model.Traffic;
using static MeshNet.ControlPlane.Tests.TestResources;
using static MeshNet.ControlPlane.Tests.Traffic.TrafficResources;

namespace MeshNet.ControlPlane.Tests.Traffic;

/// <summary>How resources come into force, stay in force after a bad update, and leave.</summary>
public sealed class TrafficLifecycleTests
{
    private static readonly TrafficRoute Canary9010 = Route("posts-canary", "posts", Always(Subset("version=v1", 90), Subset("version=v2", 10)));

    private static (string Cluster, uint Weight)[] Split(ProxyConfig config) =>
        [.. Host(config).Routes[0].Clusters.Select(c => (c.Cluster, c.Weight))];

    [Fact]
    public void Keeps_TheLastAcceptedVersion_WhenAnUpdateIsRejected_AndAppliesOtherResources()
    {
        var compiler = new MeshConfigCompiler();
        var before = Index(Canary(Canary9010));
        var accepted = Split(compiler.Compile(before, Frontend));

        var bad = Canary9010 with { Rules = [Always(Subset("version=v1", 50), Subset("version=v3", 50))] };
        var policy = Policy("posts", loadBalancer: new LoadBalancerSettings(LoadBalancerType.RoundRobin, null));
        var after = Apply(before, bad, policy);
        var config = compiler.Compile(after, Frontend);

        Assert.Equal(accepted, Split(config));
        Assert.Equal("spec.rules[0].backends[1].subset", after.Traffic.ErrorOf(bad.Key)?.Field);
        Assert.Same(Canary9010, after.Traffic.Accepted[bad.Key]);
        Assert.Equal("blog/posts", Cluster(config, "outbound|80|version=v2|posts.blog.svc.cluster.local").Policy);

        var fixedRoute = Canary9010 with { Rules = [Always(Subset("version=v1", 50), Subset("version=v2", 50))] };
        var repaired = compiler.Compile(Apply(after, fixedRoute), Frontend);
        Assert.Equal(50u, Split(repaired)[1].Weight);
    }

    [Fact]
    public void Applies_ARoute_WhenItsServiceAppearsLater()
    {
        var compiler = new MeshConfigCompiler();
        var route = Route("ratings-canary", "ratings", Always(Subset("version=v2", 1)));
        var before = Index(Canary(route));
        Assert.Equal("Service blog/ratings does not exist", before.Traffic.ErrorOf(route.Key)?.Message);

        var after = Apply(
            before,
            Service("blog", "ratings", "app=ratings"),
            Sidecar("blog", "ratings-1", "app=ratings,version=v2", "127.0.1.50"));
        var config = compiler.Compile(after, Frontend);

        Assert.Null(after.Traffic.ErrorOf(route.Key));
        Assert.Equal("rule-0", Host(config, "ratings.blog.svc.cluster.local:80").Routes[0].Name);
        Assert.Single(Cluster(config, "outbound|80|version=v2|ratings.blog.svc.cluster.local").Endpoints);
    }

    [Fact]
    public void Applies_ARoute_WhenAWorkloadOfItsSubsetRegisters()
    {
        var route = Route("posts-canary", "posts", Always(Subset("version=v1", 90), Subset("version=v3", 10)));
        var before = Index(Canary(route));
        Assert.NotNull(before.Traffic.ErrorOf(route.Key));

        var after = Apply(before, Sidecar("blog", "posts-v3-1", "app=posts,version=v3", "127.0.1.14"));

        Assert.Null(after.Traffic.ErrorOf(route.Key));
        Assert.Equal(10u, Split(new MeshConfigCompiler().Compile(after, Frontend))[1].Weight);
    }

    [Fact]
    public void Returns_ToTheDefaultRoute_WhenTheRouteIsDeleted()
    {
        var before = Index(Canary(Canary9010));

        var after = Delete(before, Canary9010.Key);
        var config = new MeshConfigCompiler().Compile(after, Frontend);

        Assert.Equal(VirtualHostCompiler.DefaultRouteName, Host(config).Routes.Single().Name);
        Assert.DoesNotContain(config.Clusters, c => c.Name.Contains("version=", StringComparison.Ordinal));
        Assert.Empty(after.Traffic.Accepted);
    }

    [Fact]
    public void Applies_TheConflictLoser_WhenTheWinnerIsDeleted()
    {
        var first = Policy("a", loadBalancer: new LoadBalancerSettings(LoadBalancerType.Random, null));
        var second = Policy("b", loadBalancer: new LoadBalancerSettings(LoadBalancerType.LeastRequest, null));
        var before = Index(Canary(first, second));

        var after = Delete(before, first.Key);

        Assert.Null(after.Traffic.ErrorOf(second.Key));
        Assert.Equal("blog/b", Cluster(new MeshConfigCompiler().Compile(after, Frontend), "outbound|80||posts.blog.svc.cluster.local").Policy);
    }

    [Fact]
    public void Leaves_OutABackendService_ThatDisappearsUnderTheLastAcceptedRoute()
    {
        var route = Route("split", "posts", Always(Subset("version=v1", 90), ToService("posts-v2", 10)));
        var before = Index(Canary(route));

        var after = Delete(before, PostsV2.Key);
        var config = new MeshConfigCompiler().Compile(after, Frontend);

        Assert.Equal("spec.rules[0].backends[1].service", after.Traffic.ErrorOf(route.Key)?.Field);
        Assert.Equal([("outbound|80|version=v1|posts.blog.svc.cluster.local", 90u)], Split(config));
        var names = config.Clusters.Select(c => c.Name).ToHashSet();
        Assert.All(config.VirtualHosts.SelectMany(h => h.Routes).SelectMany(r => r.Clusters), c => Assert.Contains(c.Cluster, names));
    }

    [Fact]
    public void Keeps_TheServiceTraffic_WhenAnUnrelatedWorkloadChanges()
    {
        var before = Index(Canary(Canary9010, Service("blog", "users", "app=users")));

        var after = Apply(before, Sidecar("blog", "posts-v1-3", "app=posts,version=v1", "127.0.1.15"));
        var unrelated = Apply(after, Sidecar("blog", "users-1", "app=users", "127.0.1.21"));

        Assert.Same(before.Traffic.For(Posts.Key), after.Traffic.For(Posts.Key));
        Assert.Same(after.Traffic, unrelated.Traffic);
        Assert.Equal(before.ServicesGeneration, after.ServicesGeneration);
    }

    [Fact]
    public void Takes_TrafficResources_FromABulkInitialLoad()
    {
        MeshResource[] pods = [.. Enumerable.Range(0, 1100).Select(i => Pod("blog", $"posts-v1-{i}", "app=posts,version=v1", $"127.0.{10 + (i / 250)}.{1 + (i % 250)}"))];

        var index = Index([.. Canary(Canary9010), .. pods]);

        Assert.Same(Canary9010, index.Snapshot.Traffic[Canary9010.Key]);
        Assert.Same(Canary9010, index.Traffic.For(Posts.Key).Routes.Single());
        Assert.Empty(Delete(index, Canary9010.Key).Snapshot.Traffic);
    }
}

using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Model.Traffic;
using static MeshNet.ControlPlane.Tests.TestResources;
using static MeshNet.ControlPlane.Tests.Traffic.TrafficResources;

namespace MeshNet.ControlPlane.Tests.Traffic;

/// <summary>Cross-resource checks: each rejection names the resource, the field and the problem.</summary>
public sealed class TrafficValidationTests
{
    private static readonly MeshResource[] Others =
    [
        Service("blog", "posts-headless", "app=posts", [Port(80)]) with { Headless = true },
        Service("blog", "db", null, [Port(5432)], ServiceType.ExternalName, externalName: "db.example.com"),
        Service("blog", "metrics", "app=metrics", [Port(9090)]),
    ];

    public static TheoryData<string, MeshResource, string, string> Rejections => new()
    {
        { "unknown target", Policy("p", "nope"), "spec.targetRef.name", "Service blog/nope does not exist" },
        { "target kind", Policy("p") with { Target = new PolicyTarget("Deployment", "posts", null) }, "spec.targetRef.kind", "must be Service, not \"Deployment\"" },
        { "target port", Policy("p", port: 8080), "spec.targetRef.port", "Service blog/posts has no port 8080" },
        {
            "policy on ExternalName", Policy("p", "db"), "spec.targetRef.name",
            "Service blog/db is of type ExternalName: its traffic does not pass through a mesh cluster"
        },
        {
            "unknown subset", Route("r", "posts", Always(Subset("version=v1", 90), Subset("version=v3", 10))), "spec.rules[0].backends[1].subset",
            "unknown subset version=v3: no workload selected by Service blog/posts has these labels"
        },
        {
            "unknown backend", Route("r", "posts", When([Header("x", "1")], Subset("version=v2", 1)), Always(ToService("posts-v3", 1))),
            "spec.rules[1].backends[0].service", "Service blog/posts-v3 does not exist"
        },
        { "backend port", Route("r", "posts", Always(ToService("posts-v2", 1, 8080))), "spec.rules[0].backends[0].port", "Service blog/posts-v2 has no port 8080" },
        {
            "backend lacks the target port", Route("r", "posts", Always(ToService("metrics", 1))), "spec.rules[0].backends[0].port",
            "Service blog/metrics has no port 80 (the target's port, used when port is not set)"
        },
        {
            "ExternalName backend", Route("r", "posts", Always(ToService("db", 1, 5432))), "spec.rules[0].backends[0].service",
            "Service blog/db is of type ExternalName: it has no mesh cluster to send to"
        },
        {
            "route on headless", Route("r", "posts-headless", Always(Subset("app=posts", 1))), "spec.targetRef.name",
            "Service blog/posts-headless is headless: clients reach it without a cluster IP, so requests cannot be routed"
        },
        {
            "route on ExternalName", Route("r", "db", Always(ToService("posts", 1))), "spec.targetRef.name",
            "Service blog/db is of type ExternalName: clients reach it without a cluster IP, so requests cannot be routed"
        },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Rejects_AResource_NamingTheField(string because, MeshResource resource, string field, string message)
    {
        var index = Index([.. Canary(resource), .. Others]);

        var error = index.Traffic.ErrorOf(resource.Key);

        Assert.True(error is not null, because);
        Assert.Equal((TrafficValidator.Origin, resource.Key, field, message), (error.Origin, error.Resource, error.Field, error.Message));
        Assert.Equal(error, Assert.Single(index.Traffic.Errors));
        Assert.False(index.Traffic.Accepted.ContainsKey(resource.Key));
        Assert.True(index.Traffic.ByService.IsEmpty);
    }

    [Fact]
    public void Accepts_ValidResources_WithoutErrors()
    {
        var index = Index([.. Canary(
            Policy("p", port: 80), Route("r", "posts", When([Header("x", "1")], Subset("version=v2", 1)), Always(ToService("posts-v2", 1, 80)))), .. Others]);

        Assert.Empty(index.Traffic.Errors);
        Assert.Equal(2, index.Traffic.Accepted.Count);
    }

    [Fact]
    public void Reports_AConflict_OnTheSecondPolicyByName_WithTheSameScope()
    {
        var index = Index(Canary(Policy("b-second"), Policy("a-first"), Policy("c-port", port: 80)));

        var error = index.Traffic.ErrorOf(new ResourceKey(ResourceKinds.TrafficPolicy, "blog", "b-second"));
        Assert.Equal(("spec.targetRef", "conflicts with TrafficPolicy blog/a-first"), (error?.Field, error?.Message));
        Assert.Null(index.Traffic.ErrorOf(new ResourceKey(ResourceKinds.TrafficPolicy, "blog", "a-first")));
        Assert.Null(index.Traffic.ErrorOf(new ResourceKey(ResourceKinds.TrafficPolicy, "blog", "c-port")));
        Assert.Equal(["a-first", "c-port"], index.Traffic.For(Posts.Key).Policies.Select(p => p.Name));
    }

    [Fact]
    public void Reports_AConflict_BetweenTwoRoutesForOneService()
    {
        var index = Index(Canary(Route("a", "posts", Always(Subset("version=v1", 1))), Route("b", "posts", Always(Subset("version=v2", 1)))));

        Assert.Equal("conflicts with TrafficRoute blog/a", index.Traffic.ErrorOf(new ResourceKey(ResourceKinds.TrafficRoute, "blog", "b"))?.Message);
        Assert.Equal("a", index.Traffic.For(Posts.Key).Routes.Single().Name);
    }
}

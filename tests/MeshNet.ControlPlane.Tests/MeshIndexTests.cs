using MeshNet.ControlPlane.Indexing;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests;

public sealed class MeshIndexTests
{
    private static readonly MeshService Posts = Service("blog", "posts", "app=posts");
    private static readonly MeshService Users = Service("blog", "users", "app=users");
    private static readonly MeshService Db = Service("blog", "db", null, [Port(5432)]);

    private static (MeshIndex Before, MeshIndex After) Change(params ResourceChange[] changes)
    {
        var before = Index(Posts, Users, Db, Pod("blog", "posts-1", "app=posts", "127.0.1.1"), Pod("blog", "users-1", "app=users", "127.0.1.2"));
        return (before, before.Update(before.Snapshot.Apply(changes), changes));
    }

    [Fact]
    public void Reuses_UnaffectedServiceViews_WhenAWorkloadChanges()
    {
        var pod = Pod("blog", "posts-2", "app=posts", "127.0.1.3");
        var (before, after) = Change(new ResourceChange(pod.Key, null, pod));

        Assert.NotSame(before.Services[Posts.Key], after.Services[Posts.Key]);
        Assert.Same(before.Services[Users.Key], after.Services[Users.Key]);
        Assert.Same(before.Services[Db.Key], after.Services[Db.Key]);
        Assert.Equal(2, after.Services[Posts.Key].Ports.Single().Endpoints.Length);
        Assert.Equal(before.ServicesGeneration, after.ServicesGeneration);
    }

    [Fact]
    public void Reresolves_TheServiceAWorkloadLeaves_WhenItsLabelsChange()
    {
        var old = Pod("blog", "users-1", "app=users", "127.0.1.2");
        var moved = old with { Labels = Labels("app=posts") };
        var (_, after) = Change(new ResourceChange(old.Key, old, moved));

        Assert.Empty(after.Services[Users.Key].Ports.Single().Endpoints);
        Assert.Equal(2, after.Services[Posts.Key].Ports.Single().Endpoints.Length);
    }

    [Fact]
    public void Reresolves_OnlyTheSliceOwner_WhenAnEndpointSliceChanges()
    {
        var slice = Slice("blog", "db-1", "db", [new EndpointSetPort("", 5432, "TCP", null)], Entry("10.1.0.1"));
        var (before, after) = Change(new ResourceChange(slice.Key, null, slice));

        Assert.Single(after.Services[Db.Key].Ports.Single().Endpoints);
        Assert.Same(before.Services[Posts.Key], after.Services[Posts.Key]);
    }

    [Fact]
    public void Bumps_ServicesGeneration_OnlyWhenAServiceChanges()
    {
        var comments = Service("blog", "comments", "app=comments");
        var (before, after) = Change(new ResourceChange(comments.Key, null, comments));

        Assert.NotEqual(before.ServicesGeneration, after.ServicesGeneration);
        Assert.True(after.Services.ContainsKey(comments.Key));
    }

    [Fact]
    public void Drops_DeletedServices()
    {
        var (_, after) = Change(new ResourceChange(Users.Key, Users, null));

        Assert.False(after.Services.ContainsKey(Users.Key));
    }

    [Fact]
    public void Finds_ServicesWithMultiKeySelectors_WhenAWorkloadStartsMatching()
    {
        var web = Service("blog", "web", "tier=web,app=posts");
        var before = Index(web, Pod("blog", "p", "app=posts", "127.0.1.1"));
        Assert.Empty(before.Services[web.Key].Ports.Single().Endpoints);

        var old = (Workload)before.Snapshot.Workloads.Values.Single();
        var relabelled = old with { Labels = Labels("app=posts", "tier=web", "version=v1") };
        ResourceChange[] changes = [new(old.Key, old, relabelled)];
        var after = before.Update(before.Snapshot.Apply(changes), changes);

        Assert.Single(after.Services[web.Key].Ports.Single().Endpoints);

        ResourceChange[] back = [new(old.Key, relabelled, old)];
        var reverted = after.Update(after.Snapshot.Apply(back), back);

        Assert.Empty(reverted.Services[web.Key].Ports.Single().Endpoints);
    }

    [Fact]
    public void Matches_FullBuild_AfterIncrementalUpdates()
    {
        var index = Index(Posts, Users, Db);
        MeshResource[] resources =
        [
            Pod("blog", "posts-1", "app=posts", "127.0.1.1"),
            Sidecar("blog", "users-1", "app=users", "127.0.1.2"),
            Slice("blog", "db-1", "db", [new EndpointSetPort("", 5432, "TCP", null)], Entry("127.0.1.2")),
        ];
        foreach (var resource in resources)
        {
            ResourceChange[] changes = [new(resource.Key, null, resource)];
            index = index.Update(index.Snapshot.Apply(changes), changes);
        }

        var full = MeshIndex.Build(index.Snapshot);

        foreach (var (key, view) in full.Services)
        {
            Assert.Equal(view.Ports.SelectMany(p => p.Endpoints), index.Services[key].Ports.SelectMany(p => p.Endpoints));
        }

        Assert.True(index.Services[Db.Key].Ports.Single().Endpoints.Single().Meshed);
    }
}

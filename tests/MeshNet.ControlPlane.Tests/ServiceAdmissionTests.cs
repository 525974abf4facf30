using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests;

public sealed class ServiceAdmissionTests
{
    private static ResourceChange Added(MeshResource r) => new(r.Key, null, r);

    [Fact]
    public void Refuses_ANewServiceClaimingAnAllocatedClusterIP_AndKeepsTheHolder()
    {
        var admission = new ServiceAdmission();
        var posts = Service("blog", "posts", "app=posts", clusterIPs: ["10.96.0.10"]);
        admission.Admit([Added(posts)], out _);

        var clash = Service("blog", "clash", "app=posts", clusterIPs: ["10.96.0.10"]);
        var other = Service("blog", "other", "app=other");
        var changes = admission.Admit([Added(clash), Added(other)], out var errors);

        Assert.Equal([other.Key], changes.Select(c => c.Key));
        var error = Assert.Single(errors);
        Assert.Equal(clash.Key, error.Resource);
        Assert.Equal("spec.clusterIP", error.Field);
        Assert.Equal("10.96.0.10 requested by Service blog/clash is already allocated to Service blog/posts; this version is not applied", error.Message);
    }

    [Fact]
    public void KeepsTheLastAdmittedVersion_WhenAnUpdateClashes()
    {
        var admission = new ServiceAdmission();
        var posts = Service("blog", "posts", "app=posts", clusterIPs: ["10.96.0.10"]);
        var users = Service("blog", "users", "app=users", clusterIPs: ["10.96.0.11"]);
        admission.Admit([Added(posts), Added(users)], out _);

        var usersClashing = Service("blog", "users", "app=users", clusterIPs: ["10.96.0.10"]);
        var changes = admission.Admit([new ResourceChange(users.Key, users, usersClashing)], out var errors);

        Assert.Empty(changes);
        Assert.Equal(users.Key, Assert.Single(errors).Resource);
    }

    [Fact]
    public void AdmitsTheWaitingService_OnceTheHolderIsDeleted()
    {
        var admission = new ServiceAdmission();
        var posts = Service("blog", "posts", "app=posts", clusterIPs: ["10.96.0.10"]);
        var clash = Service("blog", "clash", "app=posts", clusterIPs: ["10.96.0.10"]);
        admission.Admit([Added(posts)], out _);
        admission.Admit([Added(clash)], out _);

        var changes = admission.Admit([new ResourceChange(posts.Key, posts, null)], out var errors);

        Assert.Empty(errors);
        Assert.Equal(
            [(posts.Key, (MeshResource?)null), (clash.Key, clash)],
            changes.Select(c => (c.Key, c.Current)).OrderBy(c => c.Key.Name == "posts" ? 0 : 1));
    }

    [Fact]
    public void PassesOtherKindsThroughUntouched()
    {
        var admission = new ServiceAdmission();
        var pod = Pod("blog", "posts-1", "app=posts", "10.0.0.1");
        ImmutableArrayAssert(admission.Admit([Added(pod)], out var errors), pod);
        Assert.True(errors.IsDefault);
    }

    private static void ImmutableArrayAssert(System.Collections.Immutable.ImmutableArray<ResourceChange> changes, MeshResource only) =>
        Assert.Same(only, Assert.Single(changes).Current);
}

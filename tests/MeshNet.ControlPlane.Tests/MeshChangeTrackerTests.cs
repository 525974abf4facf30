using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using Microsoft.Extensions.Time.Testing;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests;

public sealed class MeshChangeTrackerTests
{
    private readonly MeshChangeTracker _tracker = new(new FakeTimeProvider());

    [Fact]
    public void Records_PreviousAndCurrent_PerKey()
    {
        var v1 = Service("blog", "posts", "app=posts");
        var v2 = v1 with { PublishNotReadyAddresses = true };
        _tracker.Upsert(v1);
        _tracker.TakeBatch();

        _tracker.Upsert(v2);
        var change = Assert.Single(_tracker.TakeBatch().Changes);

        Assert.Same(v1, change.Previous);
        Assert.Same(v2, change.Current);
    }

    [Fact]
    public void Merges_SeveralUpdates_IntoOneNetChange()
    {
        var v1 = Service("blog", "posts", "app=posts");
        _tracker.Upsert(v1);
        _tracker.Upsert(v1 with { PublishNotReadyAddresses = true });
        var v3 = v1 with { Type = ServiceType.NodePort };
        _tracker.Upsert(v3);

        var change = Assert.Single(_tracker.TakeBatch().Changes);

        Assert.Null(change.Previous);
        Assert.Same(v3, change.Current);
    }

    [Fact]
    public void Drops_AddThenDelete_WithinOneBatch()
    {
        var service = Service("blog", "posts", "app=posts");
        _tracker.Upsert(service);
        _tracker.Delete(service.Key);

        Assert.True(_tracker.TakeBatch().IsEmpty);
    }

    [Fact]
    public void Drops_ChangeThatReturnsToWhatTheLoopSaw()
    {
        var v1 = Service("blog", "posts", "app=posts");
        _tracker.Upsert(v1);
        _tracker.TakeBatch();

        _tracker.Upsert(v1 with { PublishNotReadyAddresses = true });
        _tracker.Upsert(v1);

        Assert.True(_tracker.TakeBatch().IsEmpty);
    }

    [Fact]
    public void Ignores_DeleteOfUnknownKey()
    {
        _tracker.Delete(new ResourceKey(ResourceKinds.Service, "blog", "nope"));

        Assert.True(_tracker.TakeBatch().IsEmpty);
    }

    [Fact]
    public void Keeps_ErrorsPerOrigin_AndClearsThemWithAnEmptyList()
    {
        var error = new ResourceError("blog.yaml", 1, new ResourceKey(ResourceKinds.Service, "blog", "posts"), "spec.ports[0].port", "must be 1-65535");
        _tracker.ReportErrors("blog.yaml", [error]);
        _tracker.ReportErrors("other.yaml", [error with { Origin = "other.yaml" }]);

        Assert.Equal(["blog.yaml", "other.yaml"], _tracker.GetErrors().Select(e => e.Origin));
        Assert.Equal(2, _tracker.TakeBatch().ErrorsByOrigin.Count);

        _tracker.ReportErrors("blog.yaml", []);

        Assert.Equal(["other.yaml"], _tracker.GetErrors().Select(e => e.Origin));
        var cleared = Assert.Single(_tracker.TakeBatch().ErrorsByOrigin);
        Assert.Equal("blog.yaml", cleared.Key);
        Assert.Empty(cleared.Value);
    }

    [Fact]
    public async Task Signals_OnceForABurst()
    {
        _tracker.Upsert(Service("blog", "a"));
        _tracker.Upsert(Service("blog", "b"));

        Assert.True(await _tracker.WaitForChangesAsync(CancellationToken.None));
        var pending = _tracker.WaitForChangesAsync(CancellationToken.None);

        Assert.False(pending.IsCompleted);
        Assert.Equal(2, _tracker.TakeBatch().Changes.Length);
        _tracker.Upsert(Service("blog", "c"));
        Assert.True(await pending);
    }
}

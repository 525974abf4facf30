using System.Globalization;
using Grpc.Core;
using MeshNet.Model;
using MeshNet.Protocol.V1;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests;

/// <summary>The discovery stream over a real gRPC channel to in-process Kestrel, one protocol step at a time.</summary>
public sealed class DiscoveryStreamTests : IAsyncLifetime
{
    private DiscoveryHarness _mesh = null!;

    public async Task InitializeAsync()
    {
        _mesh = await DiscoveryHarness.StartAsync();
        _mesh.Tracker.Upsert(Service("blog", "posts", "app=posts", [Port(80, TargetPort.FromName("http"))]));
        _mesh.Flush();
    }

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    private static long Version(DiscoveryResponse response) => long.Parse(response.VersionInfo, CultureInfo.InvariantCulture);

    private void AddService(string name) => _mesh.Tracker.Upsert(Service("blog", name, $"app={name}"));

    [Fact]
    public async Task Rejects_StreamWhoseFirstRequestHasNoNode()
    {
        await using var sidecar = _mesh.Connect();

        var error = await Assert.ThrowsAsync<RpcException>(() => sidecar.OpenAsync());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("node", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sends_FullStateFirst_ThenADeltaWithTheSidecarsOwnEndpoint()
    {
        await using var sidecar = _mesh.Connect(DiscoveryHarness.Node("posts-1"));

        var full = await sidecar.OpenAsync();

        Assert.True(full.FullState);
        Assert.Equal(["posts.blog.svc.cluster.local:80"], full.VirtualHosts.Select(h => h.Name));
        Assert.Empty(full.Clusters.Single().Endpoints);
        Assert.Equal(8080u, full.Inbound.DefaultPort);
        var registered = Assert.Single(_mesh.Registry.List());
        Assert.Equal(("blog", "posts-1", "127.0.1.5", 15006), (registered.Namespace, registered.Name, registered.Address, registered.InboundPort));

        await sidecar.AckAsync(full);
        _mesh.Flush();
        var delta = await sidecar.ReceiveAsync();

        Assert.False(delta.FullState);
        Assert.True(Version(delta) > Version(full));
        Assert.Empty(delta.VirtualHosts);
        Assert.Null(delta.Inbound);
        var endpoint = delta.Clusters.Single().Endpoints.Single();
        Assert.Equal(("127.0.1.5", 15006u, 8080u, true, "blog/posts-1"), (endpoint.Address, endpoint.Port, endpoint.TargetPort, endpoint.Meshed, endpoint.Workload));
    }

    [Fact]
    public async Task Diffs_AgainstTheAckedBase_AfterANack()
    {
        await using var sidecar = _mesh.Connect(DiscoveryHarness.Node("frontend-1", "app=frontend"));
        var full = await sidecar.OpenAsync();
        await sidecar.AckAsync(full);

        AddService("users");
        _mesh.Flush();
        var rejected = await sidecar.ReceiveAsync();
        Assert.Equal(["users.blog.svc.cluster.local:80"], rejected.VirtualHosts.Select(h => h.Name));
        await sidecar.NackAsync(rejected, full.VersionInfo, "bad cluster");

        AddService("comments");
        _mesh.Flush();
        var next = await sidecar.ReceiveAsync();

        // Still based on the ACKed full state: the rejected "users" comes again along with "comments".
        Assert.False(next.FullState);
        Assert.Equal(["comments.blog.svc.cluster.local:80", "users.blog.svc.cluster.local:80"], next.VirtualHosts.Select(h => h.Name));
        var status = Assert.Single(_mesh.Registry.List());
        Assert.Equal(full.VersionInfo, status.AckedVersion);
        Assert.Equal(next.VersionInfo, status.SentVersion);
        Assert.Equal((rejected.VersionInfo, rejected.Nonce, "bad cluster", _mesh.Time.GetUtcNow()),
            (status.LastNack!.Version, status.LastNack.Nonce, status.LastNack.Message, status.LastNack.At));

        await sidecar.AckAsync(next);
        _mesh.Tracker.Delete(new ResourceKey(ResourceKinds.Service, "blog", "users"));
        _mesh.Flush();
        var removal = await sidecar.ReceiveAsync();

        Assert.Equal(["users.blog.svc.cluster.local:80"], removal.RemovedVirtualHosts);
        Assert.Equal(["outbound|80||users.blog.svc.cluster.local"], removal.RemovedClusters);
        Assert.Empty(removal.VirtualHosts);
        Assert.Empty(removal.Clusters);
    }

    [Fact]
    public async Task Sends_FullStateAgain_AfterTheFirstFullStateWasRejected()
    {
        await using var sidecar = _mesh.Connect(DiscoveryHarness.Node("frontend-1", "app=frontend"));
        var full = await sidecar.OpenAsync();
        await sidecar.NackAsync(full, "", "cannot apply");

        AddService("users");
        _mesh.Flush();
        var next = await sidecar.ReceiveAsync();

        // Nothing was ACKed on this stream, so there is no base a delta could refer to.
        Assert.True(next.FullState);
        Assert.Equal(2, next.VirtualHosts.Count);
        Assert.NotNull(next.Inbound);
    }

    [Fact]
    public async Task Coalesces_ChangesWhileAResponseIsInFlight()
    {
        await using var sidecar = _mesh.Connect(DiscoveryHarness.Node("frontend-1", "app=frontend"));
        var full = await sidecar.OpenAsync();

        AddService("users");
        _mesh.Flush();
        AddService("comments");
        _mesh.Flush();
        await sidecar.AckAsync(full);
        var merged = await sidecar.ReceiveAsync();

        Assert.Equal(["comments.blog.svc.cluster.local:80", "users.blog.svc.cluster.local:80"], merged.VirtualHosts.Select(h => h.Name));
        Assert.Equal(Version(full) + 2, Version(merged));

        await sidecar.AckAsync(merged);
        AddService("ratings");
        _mesh.Flush();
        var next = await sidecar.ReceiveAsync();

        // Nothing was queued behind the merged response: the next one carries only the newest change.
        Assert.Equal(["ratings.blog.svc.cluster.local:80"], next.VirtualHosts.Select(h => h.Name));
    }

    [Fact]
    public async Task Ignores_AnswersWithAStaleNonce()
    {
        await using var sidecar = _mesh.Connect(DiscoveryHarness.Node("frontend-1", "app=frontend"));
        var full = await sidecar.OpenAsync();

        await sidecar.NackAsync(new DiscoveryResponse { Nonce = "999" }, "", "from an older stream");
        await sidecar.AckAsync(full);
        AddService("users");
        _mesh.Flush();
        await sidecar.ReceiveAsync();

        var status = Assert.Single(_mesh.Registry.List());
        Assert.Null(status.LastNack);
        Assert.Equal(full.VersionInfo, status.AckedVersion);
    }

    [Fact]
    public async Task Sends_FullStateAgain_OnReconnect()
    {
        string firstVersion;
        await using (var first = _mesh.Connect(DiscoveryHarness.Node("frontend-1", "app=frontend")))
        {
            var full = await first.OpenAsync();
            await first.AckAsync(full);
            firstVersion = full.VersionInfo;
        }

        AddService("users");
        _mesh.Flush();
        await using var second = _mesh.Connect(DiscoveryHarness.Node("frontend-1", "app=frontend"));
        var again = await second.OpenAsync();

        Assert.True(again.FullState);
        Assert.True(Version(again) > long.Parse(firstVersion, CultureInfo.InvariantCulture));
        Assert.Equal(2, again.VirtualHosts.Count);
        Assert.Equal(2, again.Clusters.Count);
    }

    [Fact]
    public async Task Unregisters_TheSidecar_WhenItsStreamEnds()
    {
        var postsKey = new ResourceKey(ResourceKinds.Service, "blog", "posts");
        await using var sidecar = _mesh.Connect(DiscoveryHarness.Node("posts-1"));
        await sidecar.OpenAsync();
        _mesh.Flush();
        Assert.Single(_mesh.Index.Services[postsKey].Ports.Single().Endpoints);

        await sidecar.CloseAsync();
        await _mesh.FlushUntilAsync(() => _mesh.Index.Services[postsKey].Ports.Single().Endpoints.IsEmpty);

        Assert.Empty(_mesh.Registry.List());
        Assert.DoesNotContain(_mesh.Index.Snapshot.Workloads.Keys, k => k.Kind == ResourceKinds.Sidecar);
    }

    [Fact]
    public async Task Applies_WorkloadStatus_ToTheSidecarsReadiness()
    {
        var postsKey = new ResourceKey(ResourceKinds.Service, "blog", "posts");
        await using var sidecar = _mesh.Connect(DiscoveryHarness.Node("posts-1", ready: false));
        var full = await sidecar.OpenAsync();
        await sidecar.AckAsync(full);
        _mesh.Flush();
        Assert.False(_mesh.Index.Services[postsKey].Ports.Single().Endpoints.Single().Ready);

        await sidecar.SetReadyAsync(true);
        await _mesh.FlushUntilAsync(() => _mesh.Index.Services[postsKey].Ports.Single().Endpoints.Single().Ready);
        var delta = await sidecar.ReceiveAsync();

        Assert.Equal("127.0.1.5", delta.Clusters.Single().Endpoints.Single().Address);
        Assert.True(Assert.Single(_mesh.Registry.List()).Ready);
    }

    [Fact]
    public async Task Keeps_TheNotReadyReason_ASidecarReports_AndClearsItWhenReady()
    {
        await using var sidecar = _mesh.Connect(DiscoveryHarness.Node("posts-1"));
        await sidecar.AckAsync(await sidecar.OpenAsync());
        _mesh.Flush();

        await sidecar.SetReadyAsync(false);
        await _mesh.FlushUntilAsync(() => Assert.Single(_mesh.Index.Snapshot.Workloads.Values).NotReadyReason is not null);
        Assert.Equal("probe failed", Assert.Single(_mesh.Index.Snapshot.Workloads.Values).NotReadyReason);

        await sidecar.SetReadyAsync(true);
        await _mesh.FlushUntilAsync(() => Assert.Single(_mesh.Index.Snapshot.Workloads.Values).Ready);
        Assert.Null(Assert.Single(_mesh.Index.Snapshot.Workloads.Values).NotReadyReason);
    }

    [Theory]
    [InlineData("spiffe://cluster.local/ns/blog/sa/posts", "spiffe://cluster.local/ns/blog/sa/posts")]
    [InlineData("spiffe://cluster.local/ns/blog/sa/admin", "")]
    [InlineData("spiffe://cluster.local/ns/ops/sa/posts", "")]
    public async Task Advertises_TheIdentityASidecarReports_OnlyWhenItIsItsOwn(string reported, string advertised)
    {
        await using var sidecar = _mesh.Connect(DiscoveryHarness.Node("posts-1"));
        await sidecar.AckAsync(await sidecar.OpenAsync());
        _mesh.Flush();
        var registered = await sidecar.ReceiveAsync();
        await sidecar.AckAsync(registered);
        Assert.Equal(string.Empty, registered.Clusters.Single().Endpoints.Single().Identity);

        // The certificate arrives after the stream opened: a status carries it (and the unchanged readiness).
        await sidecar.SendAsync(new DiscoveryRequest { Status = new WorkloadStatus { Ready = true, Identity = reported } });
        await _mesh.FlushUntilAsync(() => Assert.Single(_mesh.Index.Snapshot.Workloads.Values).Identity is not null);
        _mesh.Flush();

        var endpoint = _mesh.Index.Services[new ResourceKey(ResourceKinds.Service, "blog", "posts")].Ports.Single().Endpoints.Single();
        Assert.Equal(advertised, endpoint.Identity ?? string.Empty);
        if (advertised.Length > 0)
        {
            var delta = await sidecar.ReceiveAsync();
            Assert.Equal(advertised, delta.Clusters.Single().Endpoints.Single().Identity);
        }
    }
}

public sealed class DiscoveryStreamLifecycleTests : IAsyncLifetime
{
    private DiscoveryHarness _mesh = null!;

    public async Task InitializeAsync() => _mesh = await DiscoveryHarness.StartAsync();

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    [Fact]
    public async Task Keeps_TheNewStreamsRegistration_WhenAnOlderStreamOfTheSameSidecarEnds()
    {
        await using var old = _mesh.Connect(DiscoveryHarness.Node("posts-1"));
        await old.OpenAsync();
        await using var current = _mesh.Connect(DiscoveryHarness.Node("posts-1", address: "127.0.1.6"));
        await current.OpenAsync();

        await old.CloseAsync();
        await old.ReceiveEndAsync();
        _mesh.Flush();

        var sidecar = Assert.Single(_mesh.Index.Snapshot.Workloads.Values);
        Assert.Equal("127.0.1.6", sidecar.Address);
        Assert.Equal("127.0.1.6", Assert.Single(_mesh.Registry.List()).Address);
    }

    [Fact]
    public async Task Ends_OpenStreams_WhenTheControlPlaneStops()
    {
        await using var sidecar = _mesh.Connect(DiscoveryHarness.Node("posts-1"));
        await sidecar.OpenAsync();

        var stopping = _mesh.StopAsync();
        await sidecar.ReceiveEndAsync();
        await stopping;
    }
}

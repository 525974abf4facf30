// These tests run the production KubernetesApiSource (KubernetesClient over real HTTP) against ApiServerDouble, a
// test double of the Kubernetes API server: no API server can run on this machine. See ApiServerDouble.cs.
using MeshNet.Kubernetes.Api;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Tests.Api;

public sealed class KubernetesApiSourceTests
{
    [Fact]
    public async Task Start_DeliversEveryResourceType_FromPagedLists()
    {
        await using var harness = await ApiHarness.StartAsync();

        Assert.Equal(
            [
                "EndpointSlice blog/posts-x2k9q", "Namespace/blog", "Pod blog/posts-7d9f8b6c5d-abcde", "Pod blog/posts-7d9f8b6c5d-fghij",
                "Pod blog/users-5c8f7d6b4a-klmno", "Service blog/posts",
            ],
            harness.Sink.Keys);
        // Three pods at two per page: the source followed the continue token.
        Assert.Equal(2, harness.Server.Requests("LIST pods"));
        Assert.Empty(harness.Sink.Errors);
    }

    [Fact]
    public async Task Pod_BecomesWorkload_WithIdentityLabelsAnnotationsAndDeploymentOwner()
    {
        await using var harness = await ApiHarness.StartAsync();

        var users = harness.Sink.Get<Workload>(ResourceKinds.Pod, "blog", "users-5c8f7d6b4a-klmno")!;
        Assert.Equal(("users", "10.244.1.9", true), (users.ServiceAccount, users.Address, users.Ready));
        Assert.Equal("users", users.Owner);
        Assert.Equal("users", users.Labels["app"]);
        Assert.Equal("json", users.Annotations!["meshnet.io/access-log"]);
        Assert.Equal(("http", 8080), (users.Ports.Single().Name, users.Ports.Single().Port));
        Assert.False(harness.Sink.Get<Workload>(ResourceKinds.Pod, "blog", "posts-7d9f8b6c5d-fghij")!.Ready);
    }

    [Fact]
    public async Task EndpointSlice_BecomesEndpointSet_WithReadinessAndTargetPods()
    {
        await using var harness = await ApiHarness.StartAsync();

        var slice = harness.Sink.Get<EndpointSet>(ResourceKinds.EndpointSlice, "blog", "posts-x2k9q")!;
        Assert.Equal(("posts", "IPv4"), (slice.ServiceName, slice.AddressType));
        Assert.Equal(
            [("10.244.1.5", true, "posts-7d9f8b6c5d-abcde"), ("10.244.2.7", false, "posts-7d9f8b6c5d-fghij")],
            slice.Endpoints.Select(e => (e.Addresses.Single(), e.Ready, e.TargetPodName)));
    }

    [Fact]
    public async Task Watch_DeliversAddsChangesAndDeletes()
    {
        await using var harness = await ApiHarness.StartAsync();

        harness.Server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-zzzzz", "posts", "10.244.3.3"));
        await harness.Sink.WaitUntilAsync(s => s.Get<Workload>(ResourceKinds.Pod, "blog", "posts-7d9f8b6c5d-zzzzz") is not null, harness.Timeout);

        harness.Server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-zzzzz", "posts", "10.244.3.3", ready: false));
        await harness.Sink.WaitUntilAsync(s => s.Get<Workload>(ResourceKinds.Pod, "blog", "posts-7d9f8b6c5d-zzzzz") is { Ready: false }, harness.Timeout);

        harness.Server.Delete("Pod", "blog", "posts-7d9f8b6c5d-zzzzz");
        await harness.Sink.WaitUntilAsync(s => s.Get<Workload>(ResourceKinds.Pod, "blog", "posts-7d9f8b6c5d-zzzzz") is null, harness.Timeout);

        // The two pages of the first LIST only: every change came through the watch.
        Assert.Equal(2, harness.Server.Requests("LIST pods"));
    }

    [Fact]
    public async Task Update_ThatChangesNothingModelled_IsNotDelivered()
    {
        await using var harness = await ApiHarness.StartAsync();
        var before = harness.Sink.Events.Count;

        // Only container status details differ: no new Workload, so no recompilation downstream.
        harness.Server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-abcde", "posts", "10.244.1.5").Replace("\"restartCount\": 0", "\"restartCount\": 1", StringComparison.Ordinal));
        harness.Server.Apply(ApiObjects.Service("blog", "comments", "10.96.0.30"));
        await harness.Sink.WaitUntilAsync(s => s.Get<MeshService>(ResourceKinds.Service, "blog", "comments") is not null, harness.Timeout);
        // Pods and Services are watched separately, so wait until the pod watch has passed the change too.
        harness.Server.Apply(ApiObjects.Pod("blog", "marker-1", "marker", "10.244.9.9"));
        await harness.Sink.WaitUntilAsync(s => s.Get<Workload>(ResourceKinds.Pod, "blog", "marker-1") is not null, harness.Timeout);

        Assert.Equal(["upsert Service blog/comments", "upsert Pod blog/marker-1"], harness.Sink.Events.Skip(before));
    }

    [Theory]
    [InlineData(StaleWatchAnswer.ErrorEvent)]
    [InlineData(StaleWatchAnswer.HttpGone)]
    public async Task StaleResourceVersion_Relists_AndDeletesWhatWentAwayMeanwhile(StaleWatchAnswer answer)
    {
        await using var harness = await ApiHarness.StartAsync();
        harness.Server.StaleWatch = answer;
        var lists = harness.Server.Requests("LIST pods");

        // A change the watch never saw, then history compacted and the watch dropped: resuming at the old
        // resourceVersion is answered with 410, and only a new LIST can find out what happened.
        harness.Server.DeleteSilently("Pod", "blog", "posts-7d9f8b6c5d-fghij");
        harness.Server.CloseWatches("pods");

        await harness.Sink.WaitUntilAsync(s => s.Get<Workload>(ResourceKinds.Pod, "blog", "posts-7d9f8b6c5d-fghij") is null, harness.Timeout);
        Assert.True(harness.Server.Requests("LIST pods") > lists);
        Assert.Contains("delete Pod blog/posts-7d9f8b6c5d-fghij", harness.Sink.Events);
    }

    [Fact]
    public async Task GoneErrorEvent_OnAnOpenWatch_Relists()
    {
        await using var harness = await ApiHarness.StartAsync();
        var lists = harness.Server.Requests("LIST services");

        harness.Server.ApplySilently(ApiObjects.Service("blog", "posts", "10.96.0.20", port: 8080));
        harness.Server.ExpireWatches("services");

        await harness.Sink.WaitUntilAsync(s => s.Get<MeshService>(ResourceKinds.Service, "blog", "posts") is { } posts && posts.Ports[0].Port == 8080, harness.Timeout);
        Assert.Equal(lists + 1, harness.Server.Requests("LIST services"));
    }

    [Fact]
    public async Task ClosedWatch_Resumes_FromItsResourceVersion_WithoutRelisting()
    {
        await using var harness = await ApiHarness.StartAsync();
        var watches = harness.Server.Requests("WATCH pods");

        harness.Server.CloseWatches("pods");
        await harness.Server.WaitForRequestsAsync("WATCH pods", watches + 1, harness.Timeout);
        harness.Server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-new01", "posts", "10.244.4.4"));

        await harness.Sink.WaitUntilAsync(s => s.Get<Workload>(ResourceKinds.Pod, "blog", "posts-7d9f8b6c5d-new01") is not null, harness.Timeout);
        Assert.Equal(2, harness.Server.Requests("LIST pods"));
    }

    [Fact]
    public async Task Bookmark_MovesTheResourceVersion_SoAResumeAfterCompactionNeedsNoRelist()
    {
        await using var harness = await ApiHarness.StartAsync();
        var lists = harness.Server.Requests("LIST pods");

        // Other resources move the server's resourceVersion on; pods see none of it but a BOOKMARK.
        harness.Server.Apply(ApiObjects.Service("blog", "comments", "10.96.0.30"));
        await harness.Sink.WaitUntilAsync(s => s.Get<MeshService>(ResourceKinds.Service, "blog", "comments") is not null, harness.Timeout);
        harness.Server.Bookmark("pods");
        // The stream ends right after the bookmark, and history is compacted: the resume works only from the
        // bookmarked resourceVersion, the pods' own last event is now too old.
        harness.Server.Compact();
        var watches = harness.Server.Requests("WATCH pods");
        harness.Server.CloseWatches("pods");
        await harness.Server.WaitForRequestsAsync("WATCH pods", watches + 1, harness.Timeout);
        harness.Server.Apply(ApiObjects.Pod("blog", "marker-2", "marker", "10.244.9.10"));
        await harness.Sink.WaitUntilAsync(s => s.Get<Workload>(ResourceKinds.Pod, "blog", "marker-2") is not null, harness.Timeout);

        Assert.Equal(lists, harness.Server.Requests("LIST pods"));
    }

    [Fact]
    public async Task FailingApiServer_IsRetried_UntilTheFirstListSucceeds()
    {
        await using var harness = await ApiHarness.StartAsync(start: false);
        harness.Server.FailNext("LIST services", 3);

        await harness.Source.StartAsync(harness.Timeout);

        Assert.Equal(4, harness.Server.Requests("LIST services"));
        Assert.NotNull(harness.Sink.Get<MeshService>(ResourceKinds.Service, "blog", "posts"));
    }

    [Fact]
    public async Task FailedWatch_IsRetried_FromTheSameResourceVersion()
    {
        await using var harness = await ApiHarness.StartAsync();
        var watches = harness.Server.Requests("WATCH services");
        harness.Server.FailNext("WATCH services", 2);

        harness.Server.CloseWatches("services");
        harness.Server.Apply(ApiObjects.Service("blog", "comments", "10.96.0.30"));

        await harness.Sink.WaitUntilAsync(s => s.Get<MeshService>(ResourceKinds.Service, "blog", "comments") is not null, harness.Timeout);
        Assert.Equal(watches + 3, harness.Server.Requests("WATCH services"));
        Assert.Equal(1, harness.Server.Requests("LIST services"));
    }

    [Fact]
    public async Task InvalidUpdate_KeepsTheLastValidVersion_AndReportsTheField()
    {
        await using var harness = await ApiHarness.StartAsync();
        harness.Server.Apply(ApiObjects.TrafficPolicy("blog", "posts-retries", "posts", attempts: 3));
        await harness.Sink.WaitUntilAsync(s => s.Get(new ResourceKey(ResourceKinds.TrafficPolicy, "blog", "posts-retries")) is not null, harness.Timeout);
        var valid = harness.Sink.Get(new ResourceKey(ResourceKinds.TrafficPolicy, "blog", "posts-retries"));

        // 48h passes the CRD's pattern, so the API server stores it; the mesh allows at most 24h.
        harness.Server.Apply(ApiObjects.TrafficPolicy("blog", "posts-retries", "posts", attempts: 5, requestTimeout: "48h"));

        await harness.Sink.WaitUntilAsync(s => s.Errors.Count > 0, harness.Timeout);
        var error = Assert.Single(harness.Sink.Errors);
        Assert.Equal(("kubernetes/trafficpolicies", "spec.timeouts.request"), (error.Origin, error.Field));
        Assert.Equal(new ResourceKey(ResourceKinds.TrafficPolicy, "blog", "posts-retries"), error.Resource);
        Assert.Same(valid, harness.Sink.Get(new ResourceKey(ResourceKinds.TrafficPolicy, "blog", "posts-retries")));

        harness.Server.Delete("TrafficPolicy", "blog", "posts-retries");
        await harness.Sink.WaitUntilAsync(s => s.Errors.Count == 0 && s.Get(new ResourceKey(ResourceKinds.TrafficPolicy, "blog", "posts-retries")) is null, harness.Timeout);
    }

    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(5, 3200)]
    [InlineData(20, 30_000)]
    public void Backoff_Doubles_UpToItsCap_WithJitterBelowTheCeiling(int failures, int ceilingMs)
    {
        var backoff = WatchBackoff.Default;

        Assert.Equal(TimeSpan.FromMilliseconds(ceilingMs / 2.0), backoff.Delay(failures, 0));
        Assert.True(backoff.Delay(failures, 0.999) < TimeSpan.FromMilliseconds(ceilingMs));
        Assert.True(backoff.Delay(failures, 0.999) > TimeSpan.FromMilliseconds(ceilingMs * 0.99));
    }
}

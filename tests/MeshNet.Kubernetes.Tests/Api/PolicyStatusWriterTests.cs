// The production source and status writer over KubernetesClient against ApiServerDouble, a test double of the
// Kubernetes API server (none can run on this machine); the PATCHes asserted are the ones that crossed the wire.
using System.Text.Json.Nodes;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Tests.Api;

public sealed class PolicyStatusWriterTests
{
    private static readonly ResourceKey Retries = new(ResourceKinds.TrafficPolicy, "blog", "posts-retries");

    [Fact]
    public async Task ValidPolicy_IsAccepted_OnceTheControlPlaneAppliedThatVersion_AndWrittenOnce()
    {
        await using var harness = await ApiHarness.StartAsync();
        harness.Server.Apply(ApiObjects.TrafficPolicy("blog", "posts-retries", "posts"));
        await harness.Sink.WaitUntilAsync(s => s.Get(Retries) is not null, harness.Timeout);

        harness.Source.Acceptance!.Applied(harness.Sink.Get, []);
        await harness.Server.WaitForRequestsAsync("PATCH trafficpolicies/status", 1, harness.Timeout);

        var patch = Assert.Single(harness.Server.Patches);
        Assert.Equal(("trafficpolicies", "blog", "posts-retries", "application/merge-patch+json"), (patch.Resource, patch.Namespace, patch.Name, patch.ContentType.Split(';')[0]));
        var condition = Condition(patch.Body);
        Assert.Equal(("Accepted", "True", "Accepted", 1L), (Text(condition, "type"), Text(condition, "status"), Text(condition, "reason"), condition["observedGeneration"]!.GetValue<long>()));
        Assert.Equal(1L, patch.Body["status"]!["observedGeneration"]!.GetValue<long>());

        // Further verdicts on the same version change nothing: the next PATCH is the other policy's.
        harness.Source.Acceptance.Applied(harness.Sink.Get, []);
        harness.Server.Apply(ApiObjects.TrafficPolicy("blog", "users-retries", "users"));
        await harness.Sink.WaitUntilAsync(s => s.Get(Retries with { Name = "users-retries" }) is not null, harness.Timeout);
        harness.Source.Acceptance.Applied(harness.Sink.Get, []);
        await harness.Server.WaitForRequestsAsync("PATCH trafficpolicies/status", 2, harness.Timeout);
        Assert.Equal(["posts-retries", "users-retries"], harness.Server.Patches.Select(p => p.Name));
        Assert.Equal("True", Text(Condition(harness.Server.Get("TrafficPolicy", "blog", "posts-retries")!), "status"));
    }

    [Fact]
    public async Task ControlPlaneError_IsWrittenAsRejected_WithTheField()
    {
        await using var harness = await ApiHarness.StartAsync();
        harness.Server.Apply(ApiObjects.TrafficPolicy("blog", "posts-retries", "nope"));
        await harness.Sink.WaitUntilAsync(s => s.Get(Retries) is not null, harness.Timeout);

        harness.Source.Acceptance!.Applied(
            harness.Sink.Get,
            [new ResourceError("control-plane: traffic policy", null, Retries, "spec.targetRef.name", "Service blog/nope does not exist")]);
        await harness.Server.WaitForRequestsAsync("PATCH trafficpolicies/status", 1, harness.Timeout);

        var condition = Condition(Assert.Single(harness.Server.Patches).Body);
        Assert.Equal(("False", "Rejected"), (Text(condition, "status"), Text(condition, "reason")));
        Assert.Equal("spec.targetRef.name: Service blog/nope does not exist", Text(condition, "message"));
    }

    [Fact]
    public async Task InvalidPolicy_IsWrittenAsInvalid_WithoutWaitingForTheControlPlane()
    {
        await using var harness = await ApiHarness.StartAsync();

        harness.Server.Apply(ApiObjects.TrafficPolicy("blog", "posts-retries", "posts", requestTimeout: "48h"));
        await harness.Server.WaitForRequestsAsync("PATCH trafficpolicies/status", 1, harness.Timeout);

        var condition = Condition(Assert.Single(harness.Server.Patches).Body);
        Assert.Equal(("False", "Invalid"), (Text(condition, "status"), Text(condition, "reason")));
        Assert.StartsWith("spec.timeouts.request: ", Text(condition, "message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerdictOnAnOlderVersion_IsNotWritten()
    {
        await using var harness = await ApiHarness.StartAsync();
        harness.Server.Apply(ApiObjects.TrafficPolicy("blog", "posts-retries", "posts", attempts: 1));
        await harness.Sink.WaitUntilAsync(s => s.Get(Retries) is not null, harness.Timeout);
        var first = harness.Sink.Get(Retries);
        harness.Server.Apply(ApiObjects.TrafficPolicy("blog", "posts-retries", "posts", attempts: 2));
        await harness.Sink.WaitUntilAsync(s => !ReferenceEquals(s.Get(Retries), first), harness.Timeout);

        // The control plane still holds the first version and refuses it: that says nothing about generation 2.
        harness.Source.Acceptance!.Applied(_ => first, [new ResourceError("control-plane: traffic policy", null, Retries, "spec.targetRef.name", "stale")]);
        harness.Source.Acceptance.Applied(harness.Sink.Get, []);
        await harness.Server.WaitForRequestsAsync("PATCH trafficpolicies/status", 1, harness.Timeout);

        var condition = Condition(Assert.Single(harness.Server.Patches).Body);
        Assert.Equal(("True", 2L), (Text(condition, "status"), condition["observedGeneration"]!.GetValue<long>()));
    }

    private static JsonObject Condition(JsonObject item) => item["status"]!["conditions"]!.AsArray().Single()!.AsObject();

    private static string Text(JsonObject item, string name) => item[name]!.GetValue<string>();
}

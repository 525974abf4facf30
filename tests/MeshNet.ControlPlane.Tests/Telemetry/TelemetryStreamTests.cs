using MeshNet.Model;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Tests.Telemetry;

public sealed class TelemetryStreamTests
{
    [Fact]
    public async Task StreamsTheWorkloadAndAccessLog_FromTheSidecarsPod()
    {
        await using var harness = await DiscoveryHarness.StartAsync();
        var node = DiscoveryHarness.Node("posts-7d9f8b6c5-x2x9z", "app=posts,pod-template-hash=7d9f8b6c5");
        node.Annotations.Add("meshnet.io/access-log", "json");
        await using var sidecar = harness.Connect(node);

        var response = await sidecar.OpenAsync();

        Assert.Equal(new Protocol.V1.Telemetry { Workload = "posts", AccessLog = AccessLogFormat.AccessLogJson }, response.Telemetry);
    }

    [Fact]
    public async Task LeavesTheAccessLogOff_ByDefault_AndNamesABarePodByItself()
    {
        await using var harness = await DiscoveryHarness.StartAsync();
        await using var sidecar = harness.Connect(DiscoveryHarness.Node("posts-1"));

        var response = await sidecar.OpenAsync();

        Assert.Equal(new Protocol.V1.Telemetry { Workload = "posts-1", AccessLog = AccessLogFormat.AccessLogOff }, response.Telemetry);
    }

    [Fact]
    public async Task ReportsAnInvalidAnnotation_WhileTheSidecarIsConnected()
    {
        await using var harness = await DiscoveryHarness.StartAsync();
        var node = DiscoveryHarness.Node("posts-1");
        node.Annotations.Add("meshnet.io/access-log", "yes");
        await using var sidecar = harness.Connect(node);

        var response = await sidecar.OpenAsync();

        Assert.Equal(AccessLogFormat.AccessLogOff, response.Telemetry.AccessLog);
        var error = Assert.Single(harness.Tracker.GetErrors(), e => e.Field == "metadata.annotations[meshnet.io/access-log]");
        Assert.Equal(new ResourceKey("Pod", "blog", "posts-1"), error.Resource);

        await sidecar.CloseAsync();
        await sidecar.ReceiveEndAsync();
        Assert.DoesNotContain(harness.Tracker.GetErrors(), e => e.Field == "metadata.annotations[meshnet.io/access-log]");
    }
}

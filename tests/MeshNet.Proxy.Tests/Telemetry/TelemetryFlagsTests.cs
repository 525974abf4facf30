using MeshNet.Protocol.V1;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Tests.Resilience;
using static MeshNet.Proxy.Tests.Resilience.Policies;

namespace MeshNet.Proxy.Tests.Telemetry;

public sealed class TelemetryFlagsTests
{
    [Fact]
    public void Parses_AnnotationsAdminAdvertiseAndMetrics()
    {
        var options = ProxyCommandLine.Parse(
            ["--annotations", "meshnet.io/access-log=json,team=blog", "--annotations", "team=web", "--admin-advertise", "10.244.0.7:15000", "--metrics", "off"],
            out var error,
            out _);

        Assert.Null(error);
        Assert.Equal(new Dictionary<string, string> { ["meshnet.io/access-log"] = "json", ["team"] = "web" }, options!.Annotations);
        Assert.Equal("10.244.0.7:15000", options.AdminAdvertise);
        Assert.False(options.Metrics);
        Assert.True(ProxyCommandLine.Parse([], out _, out _)!.Metrics);
    }

    [Theory]
    [InlineData("--annotations", "nokey", "--annotations: 'nokey' is not key=value")]
    [InlineData("--metrics", "maybe", "--metrics: 'maybe' is not on or off")]
    [InlineData("--admin-advertise", "somewhere", "--admin-advertise: 'somewhere' is not ADDR:PORT")]
    public void Rejects_ABadTelemetryFlag(string flag, string value, string message)
    {
        Assert.Null(ProxyCommandLine.Parse([flag, value], out var error, out _));
        Assert.Equal(message, error);
    }

    [Fact]
    public async Task CountsNothing_WithMetricsOff_ButStillServesTheEndpoint()
    {
        await using var backend = await FaultBackend.StartAsync("posts-1");
        await using var sidecar = await MetricsSidecar.StartAsync(metrics: false);
        await sidecar.ApplyAsync("v1", new Protocol.V1.Telemetry { Workload = "frontend", AccessLog = AccessLogFormat.AccessLogJson }, Posts(backend));

        Assert.Equal((200, null), await sidecar.OutboundAsync("posts.blog"));

        var metrics = await sidecar.MetricsAsync();
        Assert.Equal(0, metrics.Sum("meshnet_requests_total"));
        Assert.Equal(0, metrics.Sum("meshnet_tcp_connections_opened_total"));
        Assert.Equal(1, metrics.Sum("meshnet_config_version_info"));
    }
}

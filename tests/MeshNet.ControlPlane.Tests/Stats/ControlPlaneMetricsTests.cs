using System.Net;
using Grpc.Net.Client;
using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Stats;
using MeshNet.ControlPlane.Telemetry.Metrics;
using MeshNet.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests.Stats;

/// <summary>
/// The control plane's own /metrics, read from its real admin listener while a sidecar's discovery stream (real gRPC)
/// ACKs and NACKs step by step on a fake clock, then checked by the real promtool.
/// </summary>
public sealed class ControlPlaneMetricsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private ControlPlaneApp _app = null!;
    private GrpcChannel _channel = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        var options = ControlPlaneOptions.Parse(["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--stats-interval", "0s"]);
        _app = ControlPlaneApp.Create(options, _time, l => l.ClearProviders(), runUpdateLoop: false);
        await _app.StartAsync(CancellationToken.None);
        _channel = GrpcChannel.ForAddress($"http://{_app.GrpcEndPoint}");
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _channel.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Counts_SidecarsPushesNacksCompilesAndResources()
    {
        _app.Tracker.Upsert(Service("blog", "posts", "app=posts"));
        _app.Pipeline.Flush();
        await using var sidecar = new DiscoveryHarness.SidecarClient(
            new Protocol.V1.Discovery.DiscoveryClient(_channel).Stream(), DiscoveryHarness.Node("frontend-1", "app=frontend", "127.0.1.2"));

        var first = await sidecar.OpenAsync();
        _time.Advance(TimeSpan.FromMilliseconds(30));
        await sidecar.AckAsync(first);
        // The next version goes out only once the ACK was handled: receiving it is the proof, no waiting needed.
        _app.Tracker.Upsert(Service("blog", "users", "app=users"));
        _app.Pipeline.Flush();
        var second = await sidecar.ReceiveAsync();
        await sidecar.NackAsync(second, first.VersionInfo, "cluster \"outbound|80||users.blog.svc.cluster.local\": port 0 is out of range 1-65535");
        _app.Tracker.Upsert(Service("blog", "comments", "app=comments"));
        _app.Pipeline.Flush();
        await sidecar.ReceiveAsync();

        var metrics = await ScrapeAsync();

        Assert.Equal(1, metrics[("meshnet_control_connected_sidecars", "")]);
        Assert.Equal(1, metrics[("meshnet_control_push_duration_seconds_count", "")]);
        Assert.Equal(0, metrics[("meshnet_control_push_duration_seconds_bucket", "le=0.025")]);
        Assert.Equal(1, metrics[("meshnet_control_push_duration_seconds_bucket", "le=0.05")]);
        Assert.Equal(1, metrics[("meshnet_control_nacks_total", "reason=cluster")]);
        Assert.Equal(0, metrics[("meshnet_control_nacks_total", "reason=route")]);
        Assert.Equal(3, metrics[("meshnet_control_compile_duration_seconds_count", "")]);
        Assert.Equal(3, metrics[("meshnet_control_resources", "kind=Service")]);
        Assert.Equal(1, metrics[("meshnet_control_resources", "kind=Sidecar")]);
        Assert.Equal(0, metrics[("meshnet_control_resources", "kind=TrafficPolicy")]);
    }

    [Fact]
    public async Task PushLatency_StartsAtTheMeshChange_SoDebounceAndCompileCount()
    {
        await using var sidecar = new DiscoveryHarness.SidecarClient(
            new Protocol.V1.Discovery.DiscoveryClient(_channel).Stream(), DiscoveryHarness.Node("frontend-1", "app=frontend", "127.0.1.2"));
        var first = await sidecar.OpenAsync();
        await sidecar.AckAsync(first);

        // The change is observed, then 200 ms of debounce pass before the flush; the ACK comes 100 ms after the send.
        _app.Tracker.Upsert(Service("blog", "users", "app=users"));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        _app.Pipeline.Flush();
        var second = await sidecar.ReceiveAsync();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await sidecar.AckAsync(second);
        _app.Tracker.Upsert(Service("blog", "comments", "app=comments"));
        _app.Pipeline.Flush();
        await sidecar.ReceiveAsync();

        var metrics = await ScrapeAsync();

        Assert.Equal(2, metrics[("meshnet_control_push_duration_seconds_count", "")]);
        Assert.Equal(1, metrics[("meshnet_control_push_duration_seconds_bucket", "le=0.25")]);
        Assert.Equal(2, metrics[("meshnet_control_push_duration_seconds_bucket", "le=0.5")]);
    }

    [Fact]
    public async Task Exposition_PassesPromtoolCheckMetrics()
    {
        _app.Tracker.Upsert(Service("blog", "posts", "app=posts"));
        _app.Pipeline.Flush();
        using var response = await _admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());

        var result = await Promtool.CheckMetricsAsync(await response.Content.ReadAsStringAsync(), output);
        if (result is not { } checkedMetrics)
        {
            return;
        }

        Assert.True(checkedMetrics.ExitCode == 0, checkedMetrics.Output);
        Assert.Equal(string.Empty, checkedMetrics.Output.Trim());
    }

    [Theory]
    [InlineData("cluster \"outbound|80||posts\": port 0 is out of range 1-65535", NackReasons.Cluster)]
    [InlineData("route \"default\" of virtual host \"posts\" references unknown cluster \"x\"", NackReasons.Route)]
    [InlineData("virtual host \"posts\": no domains", NackReasons.VirtualHost)]
    [InlineData("domain \"posts:80\" is claimed by virtual hosts \"a\" and \"b\"", NackReasons.VirtualHost)]
    [InlineData("a virtual host has an empty name", NackReasons.VirtualHost)]
    [InlineData("dns service \"blog/posts\" appears twice in one response", NackReasons.Dns)]
    [InlineData("inbound: port \"http\" 0 is out of range 1-65535", NackReasons.Inbound)]
    [InlineData("the proxy did not apply the configuration within 10s", NackReasons.Timeout)]
    [InlineData("something new", NackReasons.Other)]
    [InlineData("", NackReasons.Other)]
    public void Classifies_ANackMessage_ByTheResourceItBlames(string message, string reason)
    {
        Assert.Equal(reason, NackReasons.Classify(message));
    }

    /// <summary>Every sample by (name, "label=value" of its one label or ""), read with the aggregator's own parser.</summary>
    private async Task<Dictionary<(string Name, string Label), double>> ScrapeAsync()
    {
        var text = await _admin.GetStringAsync("/metrics");
        return PrometheusTextParser.Parse(text).ToDictionary(
            s => (s.Name, string.Join(',', s.Labels.Pairs.Select(p => $"{p.Key}={p.Value}"))),
            s => s.Value);
    }
}

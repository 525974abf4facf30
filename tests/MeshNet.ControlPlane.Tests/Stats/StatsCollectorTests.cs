using System.Net;
using System.Text.Json;
using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Stats;
using MeshNet.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests.Stats;

/// <summary>
/// The real control plane (admin API on 127.0.0.1:0, scraping turned off so the test decides when it scrapes, fake
/// clock) scraping a real Kestrel endpoint that serves a sidecar's metrics.
/// </summary>
public sealed class StatsCollectorTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private ControlPlaneApp _app = null!;
    private MetricsEndpoint _frontend = null!;
    private HttpClient _admin = null!;

    private StatsCollector Collector => _app.Services.GetRequiredService<StatsCollector>();

    public async Task InitializeAsync()
    {
        _frontend = await MetricsEndpoint.StartAsync();
        var options = ControlPlaneOptions.Parse(["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--stats-interval", "0s"]);
        _app = ControlPlaneApp.Create(options, _time, l => l.ClearProviders(), runUpdateLoop: false);
        await _app.StartAsync(CancellationToken.None);
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };

        _app.Tracker.Upsert(Service("blog", "posts", "app=posts"));
        _app.Tracker.Upsert(Service("blog", "users", "app=users"));
        _app.Tracker.Upsert(Sidecar("blog", "posts-1", "app=posts", "127.0.1.9"));
        _app.Tracker.Upsert(Sidecar("blog", "frontend-1", "app=frontend", "127.0.1.2") with { AdminAddress = _frontend.EndPoint.ToString() });
        _app.Pipeline.Flush();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        await _frontend.DisposeAsync();
    }

    [Fact]
    public async Task Stat_CountsTheRequestsOfTheWindow_WithSuccessRateRpsLatencyAndMtls()
    {
        _frontend.Serve(FrontendMetrics(ok: 100, failed: 0, fastBucket: 100));
        await Collector.ScrapeOnceAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));
        // 60 more requests in 10 s: 50 answered 200 over mTLS (40 of them in under 1 ms), 10 answered 503 in plaintext.
        _frontend.Serve(FrontendMetrics(ok: 150, failed: 10, fastBucket: 140));
        await Collector.ScrapeOnceAsync(CancellationToken.None);

        using var stat = await GetJsonAsync("/debug/stat?namespace=blog&window=30s");

        var rows = stat.RootElement.EnumerateArray().ToList();
        Assert.Equal(["posts", "users"], rows.Select(r => r.GetProperty("service").GetString()));
        var posts = rows[0];
        Assert.Equal("blog", posts.GetProperty("namespace").GetString());
        Assert.Equal(1, posts.GetProperty("meshed").GetInt32());
        Assert.Equal(60, posts.GetProperty("requests").GetInt64());
        Assert.Equal(0.8333, posts.GetProperty("successRate").GetDouble());
        Assert.Equal(6.0, posts.GetProperty("rps").GetDouble());
        Assert.Equal(0.8333, posts.GetProperty("mtlsShare").GetDouble());
        // 40 of 60 in (0.5 ms, 1 ms], the rest in (1 ms, 2.5 ms]: p50 is the 30th of 40 → 0.5 + 0.5 * 30/40 ms;
        // p95 the 57th → 1 + 1.5 * 17/20 ms.
        var latency = posts.GetProperty("latencyMs");
        Assert.Equal(0.875, latency.GetProperty("p50").GetDouble());
        Assert.Equal(2.275, latency.GetProperty("p95").GetDouble());
        Assert.Equal(2.455, latency.GetProperty("p99").GetDouble());

        var users = rows[1];
        Assert.Equal(0, users.GetProperty("requests").GetInt64());
        Assert.Equal(0, users.GetProperty("rps").GetDouble());
        Assert.Equal(JsonValueKind.Null, users.GetProperty("successRate").ValueKind);
        Assert.Equal(JsonValueKind.Null, users.GetProperty("latencyMs").GetProperty("p99").ValueKind);
    }

    [Fact]
    public async Task Edges_ListWhoCalledWhichService()
    {
        _frontend.Serve(FrontendMetrics(ok: 0, failed: 0, fastBucket: 0));
        await Collector.ScrapeOnceAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        _frontend.Serve(FrontendMetrics(ok: 20, failed: 0, fastBucket: 20));
        await Collector.ScrapeOnceAsync(CancellationToken.None);

        using var edges = await GetJsonAsync("/debug/edges?window=1m");

        var edge = Assert.Single(edges.RootElement.EnumerateArray());
        Assert.Equal("blog", edge.GetProperty("source").GetProperty("namespace").GetString());
        Assert.Equal("frontend", edge.GetProperty("source").GetProperty("workload").GetString());
        Assert.Equal("blog", edge.GetProperty("destination").GetProperty("namespace").GetString());
        Assert.Equal("posts", edge.GetProperty("destination").GetProperty("service").GetString());
        Assert.Equal(4.0, edge.GetProperty("rps").GetDouble());
        Assert.Equal(1.0, edge.GetProperty("successRate").GetDouble());
        Assert.Equal(1.0, edge.GetProperty("mtlsShare").GetDouble());
        Assert.Equal(0.995, edge.GetProperty("p99Ms").GetDouble());
    }

    [Fact]
    public async Task Stat_SurvivesASidecarRestart_AndForgetsTrafficOutsideTheWindow()
    {
        _frontend.Serve(FrontendMetrics(ok: 500, failed: 0, fastBucket: 500));
        await Collector.ScrapeOnceAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        // The sidecar restarted: its counters start again from zero; the 30 requests since count, not -470.
        _frontend.Serve(FrontendMetrics(ok: 30, failed: 0, fastBucket: 30));
        await Collector.ScrapeOnceAsync(CancellationToken.None);

        Assert.Equal(30, await PostsRequestsAsync("30s"));

        _time.Advance(TimeSpan.FromSeconds(40));
        await Collector.ScrapeOnceAsync(CancellationToken.None);
        Assert.Equal(0, await PostsRequestsAsync("30s"));
        Assert.Equal(30, await PostsRequestsAsync("1m"));
    }

    [Fact]
    public async Task Scrape_ThatFails_RecordsNothing_AndTheNextOneCountsAgain()
    {
        _frontend.Serve(FrontendMetrics(ok: 10, failed: 0, fastBucket: 10));
        await Collector.ScrapeOnceAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        _frontend.Serve("meshnet_requests_total{direction=\"outbound\" 1\n");
        await Collector.ScrapeOnceAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        _frontend.Serve("unavailable", Microsoft.AspNetCore.Http.StatusCodes.Status503ServiceUnavailable);
        await Collector.ScrapeOnceAsync(CancellationToken.None);
        Assert.Equal(0, await PostsRequestsAsync("30s"));

        _time.Advance(TimeSpan.FromSeconds(5));
        _frontend.Serve(FrontendMetrics(ok: 25, failed: 0, fastBucket: 25));
        await Collector.ScrapeOnceAsync(CancellationToken.None);

        Assert.Equal(15, await PostsRequestsAsync("30s"));
        Assert.Equal(4, _frontend.Scrapes);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0s")]
    [InlineData("16m")]
    public async Task Rejects_AWindowThatIsNotAPositiveDurationWithinRetention(string window)
    {
        using var response = await _admin.GetAsync($"/debug/stat?window={window}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("window: expected a duration", await response.Content.ReadAsStringAsync());
    }

    private async Task<long> PostsRequestsAsync(string window)
    {
        using var stat = await GetJsonAsync($"/debug/stat?namespace=blog&service=posts&window={window}");
        return Assert.Single(stat.RootElement.EnumerateArray()).GetProperty("requests").GetInt64();
    }

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var response = await _admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>A frontend sidecar's exposition: outbound requests to blog/posts (200 over mTLS, 503 in plaintext) and their durations.</summary>
    private static string FrontendMetrics(int ok, int failed, int fastBucket)
    {
        const string To = "direction=\"outbound\",source_workload=\"frontend\",source_namespace=\"blog\",destination_service=\"posts\",destination_namespace=\"blog\"";
        var total = ok + failed;
        return $$"""
            # TYPE meshnet_requests_total counter
            meshnet_requests_total{{{To}},destination_workload="",code="200",error="",tls="true"} {{ok}}
            meshnet_requests_total{{{To}},destination_workload="",code="503",error="no-healthy-endpoints",tls="false"} {{failed}}
            meshnet_requests_total{direction="outbound",source_workload="frontend",source_namespace="blog",destination_service="",destination_namespace="",code="404",error="no-route",tls="false"} 7
            meshnet_requests_total{direction="inbound",source_workload="",source_namespace="",destination_service="",destination_namespace="blog",destination_workload="frontend",code="200",error="",tls="false"} {{ok}}
            # TYPE meshnet_request_duration_seconds histogram
            meshnet_request_duration_seconds_bucket{{{To}},tls="true",le="0.0005"} 0
            meshnet_request_duration_seconds_bucket{{{To}},tls="true",le="0.001"} {{fastBucket}}
            meshnet_request_duration_seconds_bucket{{{To}},tls="true",le="0.0025"} {{total}}
            meshnet_request_duration_seconds_bucket{{{To}},tls="true",le="+Inf"} {{total}}
            meshnet_request_duration_seconds_sum{{{To}},tls="true"} 0.1
            meshnet_request_duration_seconds_count{{{To}},tls="true"} {{total}}
            """;
    }
}

using System.Net;
using System.Text.Json;
using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Stats;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests.Stats;

/// <summary>
/// GET /debug/stat/history on the real control plane (admin API on 127.0.0.1:0, fake clock), over scrape histories
/// recorded into its store at chosen times, as the collector records them.
/// </summary>
public sealed class StatHistoryTests : IAsyncLifetime
{
    // A multiple of every step used here, so steps end on whole seconds after it.
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);
    private ControlPlaneApp _app = null!;
    private HttpClient _admin = null!;

    private StatsStore Store => _app.Services.GetRequiredService<StatsStore>();

    public async Task InitializeAsync()
    {
        var options = ControlPlaneOptions.Parse(["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--stats-interval", "0s"]);
        _app = ControlPlaneApp.Create(options, _time, l => l.ClearProviders(), runUpdateLoop: false);
        await _app.StartAsync(CancellationToken.None);
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };
        _app.Tracker.Upsert(Service("blog", "posts", "app=posts"));
        _app.Tracker.Upsert(Service("blog", "users", "app=users"));
        _app.Pipeline.Flush();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Rates_AreComputedPerStep()
    {
        // 10 requests a second for 30 s, then 2 a second: scrapes every 5 s.
        for (var t = 0; t <= 60; t += 5)
        {
            var total = t <= 30 ? 10 * t : 300 + (2 * (t - 30));
            Record("frontend", t, ok: total);
        }

        var points = await PointsAsync("window=1m&step=10s", now: 63);

        Assert.Equal(Enumerable.Range(1, 6).Select(i => T0.AddSeconds(10 * i)), points.Select(Time));
        Assert.Equal([10.0, 10, 10, 2, 2, 2], points.Select(p => p.GetProperty("rps").GetDouble()));
        Assert.Equal([100L, 100, 100, 20, 20, 20], points.Select(p => p.GetProperty("requests").GetInt64()));
        Assert.All(points, p => Assert.Equal(1.0, p.GetProperty("successRate").GetDouble()));
    }

    [Fact]
    public async Task EachPoint_IsWhatStatAnswersForAWindowOfOneStep_EndingThere()
    {
        for (var t = 0; t <= 30; t += 5)
        {
            Record("frontend", t, ok: 7 * t, failed: t / 5, fast: 3 * t);
        }

        var last = (await PointsAsync("window=30s&step=10s", now: 30))[^1];
        using var stat = await GetJsonAsync("/debug/stat?namespace=blog&service=posts&window=10s");
        var expected = Assert.Single(stat.RootElement.EnumerateArray());

        Assert.Equal(T0.AddSeconds(30), Time(last));
        foreach (var name in new[] { "requests", "rps", "successRate", "mtlsShare" })
        {
            Assert.Equal(expected.GetProperty(name).GetDouble(), last.GetProperty(name).GetDouble());
        }

        Assert.Equal(expected.GetProperty("latencyMs").ToString(), last.GetProperty("latencyMs").ToString());
    }

    [Fact]
    public async Task CountsTheNewValue_AfterACounterResetMidSeries()
    {
        // The frontend's sidecar restarts between 15 s and 20 s: 150 → 40 means 40 requests since the restart.
        (int T, int Ok)[] scrapes = [(0, 0), (5, 50), (10, 100), (15, 150), (20, 40), (25, 90), (30, 140)];
        foreach (var (t, ok) in scrapes)
        {
            Record("frontend", t, ok);
        }

        var points = await PointsAsync("window=30s&step=10s", now: 30);

        Assert.Equal([100L, 90, 100], points.Select(p => p.GetProperty("requests").GetInt64()));
        Assert.Equal([10.0, 9, 10], points.Select(p => p.GetProperty("rps").GetDouble()));
    }

    [Fact]
    public async Task AStepWithoutTraffic_HasZeroRps_AndNullRatesAndLatencies_AndAStepWithoutScrapesHasNullRps()
    {
        // Nothing scraped before 20 s; from 20 s to 30 s the counters stay still; from 30 s to 40 s 50 requests.
        Record("frontend", 20, ok: 100);
        Record("frontend", 25, ok: 100);
        Record("frontend", 30, ok: 100);
        Record("frontend", 35, ok: 125);
        Record("frontend", 40, ok: 150);

        var points = await PointsAsync("window=40s&step=10s", now: 40);

        Assert.Equal(new double?[] { null, null, 0, 5 }, points.Select(p => p.GetProperty("rps").ValueKind == JsonValueKind.Null ? (double?)null : p.GetProperty("rps").GetDouble()));
        var idle = points[2];
        Assert.Equal(0, idle.GetProperty("requests").GetInt64());
        Assert.Equal(JsonValueKind.Null, idle.GetProperty("successRate").ValueKind);
        Assert.Equal(JsonValueKind.Null, idle.GetProperty("mtlsShare").ValueKind);
        Assert.Equal("""{"p50":null,"p95":null,"p99":null}""", idle.GetProperty("latencyMs").GetRawText());
        Assert.Equal(1.0, points[3].GetProperty("successRate").GetDouble());
    }

    [Fact]
    public async Task Quantiles_AreInterpolatedWithinTheBucketsOfEachStep()
    {
        // Step 1: 100 requests, 80 in (0.5 ms, 1 ms], 20 in (1 ms, 2.5 ms]. Step 2: 100 requests, all in (1 ms, 2.5 ms].
        Record("frontend", 0, ok: 0, fast: 0);
        Record("frontend", 10, ok: 100, fast: 80);
        Record("frontend", 20, ok: 200, fast: 80);

        var points = await PointsAsync("window=20s&step=10s", now: 20);

        // p50: rank 50 of the 80 in the first bucket → 0.5 + 0.5 × 50/80 ms (0.8125, answered to the µs); p95: rank
        // 95 → 1 + 1.5 × 15/20 ms.
        Assert.Equal("""{"p50":0.813,"p95":2.125,"p99":2.425}""", points[0].GetProperty("latencyMs").GetRawText());
        // Every request in (1 ms, 2.5 ms]: 1 + 1.5 × q.
        Assert.Equal("""{"p50":1.75,"p95":2.425,"p99":2.485}""", points[1].GetProperty("latencyMs").GetRawText());
    }

    [Fact]
    public async Task PointsOfALaterQuery_LineUpWithTheEarlierOnes_SoAClientAppendsWithoutGapOrDuplicate()
    {
        for (var t = 0; t <= 60; t += 5)
        {
            Record("frontend", t, ok: t * t);
        }

        var first = await PointsAsync("window=1m&step=10s", now: 64);
        for (var t = 65; t <= 80; t += 5)
        {
            Record("frontend", t, ok: t * t);
        }

        // 17 s later the client asks for the time it missed plus two steps: the overlap is identical, the rest is new.
        var later = await PointsAsync("window=37s&step=10s", now: 81);

        Assert.Equal(T0.AddSeconds(60), Time(first[^1]));
        Assert.Equal([T0.AddSeconds(60), T0.AddSeconds(70), T0.AddSeconds(80)], later.Select(Time));
        Assert.Equal(first[^1].GetRawText(), later[0].GetRawText());
    }

    [Fact]
    public async Task SourceParameter_NarrowsTheSeriesToOneCallersEdge()
    {
        for (var t = 0; t <= 20; t += 10)
        {
            Record("frontend", t, ok: 3 * t);
            Record("comments", t, ok: t);
        }

        var all = await PointsAsync("window=20s&step=10s", now: 20);
        var edge = await PointsAsync("window=20s&step=10s&source=blog/comments", now: 20);

        Assert.Equal([4.0, 4.0], all.Select(p => p.GetProperty("rps").GetDouble()));
        Assert.Equal([1.0, 1.0], edge.Select(p => p.GetProperty("rps").GetDouble()));
    }

    [Fact]
    public async Task Defaults_ToFiveMinutes_InStepsOfTheScrapeInterval_WhenScrapingIsDrivenByHand()
    {
        using var history = await GetJsonAsync("/debug/stat/history?namespace=blog&service=users");

        Assert.Equal(300, history.RootElement.GetProperty("windowSeconds").GetDouble());
        Assert.Equal(5, history.RootElement.GetProperty("stepSeconds").GetDouble());
        Assert.Equal(60, history.RootElement.GetProperty("points").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, history.RootElement.GetProperty("source").ValueKind);
    }

    [Fact]
    public async Task AnswersNotFound_ForAServiceNeitherInTheMeshNorRoutedTo_AndTheSeriesOfOneThatWasRoutedTo()
    {
        using var missing = await _admin.GetAsync("/debug/stat/history?namespace=blog&service=pots");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using (var error = JsonDocument.Parse(await missing.Content.ReadAsStringAsync()))
        {
            Assert.StartsWith("services \"pots\" not found in namespace blog", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        Record("frontend", 0, ok: 0, service: "legacy");
        Record("frontend", 10, ok: 20, service: "legacy");
        var points = await PointsAsync("window=10s&step=10s", now: 10, service: "legacy");
        Assert.Equal(2.0, Assert.Single(points).GetProperty("rps").GetDouble());
    }

    [Theory]
    [InlineData("service=posts", "namespace: required")]
    [InlineData("namespace=blog", "service: required")]
    [InlineData("namespace=blog&service=posts&window=soon", "window: expected a duration")]
    [InlineData("namespace=blog&service=posts&window=16m", "window: expected a duration")]
    [InlineData("namespace=blog&service=posts&window=0s", "window: expected a duration")]
    [InlineData("namespace=blog&service=posts&step=10", "step: expected a duration with a unit (ms, s, m) from 1s to the window (5m)")]
    [InlineData("namespace=blog&service=posts&step=500ms", "step: expected a duration with a unit (ms, s, m) from 1s to the window (5m)")]
    [InlineData("namespace=blog&service=posts&window=1m&step=2m", "step: expected a duration with a unit (ms, s, m) from 1s to the window (1m)")]
    [InlineData("namespace=blog&service=posts&window=15m&step=2s", "step: expected a duration with a unit (ms, s, m) from 3s to the window (15m)")]
    [InlineData("namespace=blog&service=posts&source=frontend", "source: expected NAMESPACE/WORKLOAD")]
    public async Task Rejects_BadParameters_NamingTheParameter(string query, string message)
    {
        using var response = await _admin.GetAsync($"/debug/stat/history?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(300, 10)]   // two 5 s scrape intervals, not 5 m / 60 = 5 s
    [InlineData(900, 15)]   // 15 m / 60
    [InlineData(60, 10)]
    [InlineData(7, 7)]      // never longer than the window
    public void DefaultStep_IsTwoScrapeIntervals_OrASixtiethOfTheWindow(int windowSeconds, int stepSeconds)
    {
        Assert.Equal(
            TimeSpan.FromSeconds(stepSeconds),
            StatHistoryParameters.DefaultStep(TimeSpan.FromSeconds(windowSeconds), StatsOptions.Default));
    }

    [Fact]
    public void Rejects_AStepShorterThanTheScrapeInterval_WithTheAllowedRange()
    {
        var (parameters, error) = StatHistoryParameters.Parse("blog", "posts", null, "5m", "4s", StatsOptions.Default);

        Assert.Null(parameters);
        Assert.Equal(
            "step: expected a duration with a unit (ms, s, m) from 5s to the window (5m): at least the scrape interval and at most 300 points; got \"4s\"",
            error);
    }

    private void Record(string source, double seconds, int ok, int failed = 0, int? fast = null, string service = "posts") =>
        Store.Record($"blog/{source}-1", T0.AddSeconds(seconds), PrometheusTextParser.Parse(Exposition(source, service, ok, failed, fast ?? ok + failed), SidecarMetricNames.IsKept));

    private async Task<List<JsonElement>> PointsAsync(string query, double now, string service = "posts")
    {
        _time.SetUtcNow(T0.AddSeconds(now));
        using var history = await GetJsonAsync($"/debug/stat/history?namespace=blog&service={service}&{query}");
        return [.. history.RootElement.GetProperty("points").EnumerateArray().Select(p => p.Clone())];
    }

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var response = await _admin.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    private static DateTimeOffset Time(JsonElement point) => point.GetProperty("time").GetDateTimeOffset();

    /// <summary>
    /// A caller sidecar's outbound series to blog/SERVICE: `ok` 200s over mTLS and `failed` 503s in plaintext, of which
    /// `fast` took (0.5 ms, 1 ms] and the rest (1 ms, 2.5 ms].
    /// </summary>
    private static string Exposition(string source, string service, int ok, int failed, int fast)
    {
        var to = $"direction=\"outbound\",source_workload=\"{source}\",source_namespace=\"blog\",destination_service=\"{service}\",destination_namespace=\"blog\"";
        var total = ok + failed;
        return $$"""
            meshnet_requests_total{{{to}},code="200",tls="true"} {{ok}}
            meshnet_requests_total{{{to}},code="503",error="no-healthy-endpoints",tls="false"} {{failed}}
            meshnet_request_duration_seconds_bucket{{{to}},le="0.0005"} 0
            meshnet_request_duration_seconds_bucket{{{to}},le="0.001"} {{fast}}
            meshnet_request_duration_seconds_bucket{{{to}},le="0.0025"} {{total}}
            meshnet_request_duration_seconds_bucket{{{to}},le="+Inf"} {{total}}
            """;
    }
}

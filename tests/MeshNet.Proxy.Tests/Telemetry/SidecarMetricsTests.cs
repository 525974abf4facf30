using System.Diagnostics;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Infrastructure;
using MeshNet.Proxy.Tests.Resilience;
using static MeshNet.Proxy.Tests.Resilience.Policies;

namespace MeshNet.Proxy.Tests.Telemetry;

public sealed class SidecarMetricsTests
{
    private const string Requests = "meshnet_requests_total";
    private const string DurationCount = "meshnet_request_duration_seconds_count";

    private static readonly Protocol.V1.Telemetry Frontend = new() { Workload = "frontend" };

    [Fact]
    public async Task Counts_EveryOutboundRequest_ByServiceCodeAndError_AndTheHistogramAgrees()
    {
        await using var backend = await FaultBackend.StartAsync("posts-1");
        await using var sidecar = await MetricsSidecar.StartAsync();
        var empty = MeshConfig.Cluster("blog", "comments", 80);
        await sidecar.ApplyAsync("v1", Frontend, Posts(backend), empty);

        for (var i = 0; i < 7; i++)
        {
            Assert.Equal((200, null), await sidecar.OutboundAsync("posts.blog"));
        }

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal((503, "no-healthy-endpoints"), await sidecar.OutboundAsync("comments.blog"));
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((404, "no-route"), await sidecar.OutboundAsync("nowhere.blog"));
        }

        var metrics = await sidecar.MetricsAsync();
        (string, string)[] fromFrontend = [("direction", "outbound"), ("source_workload", "frontend"), ("source_namespace", "blog"), ("tls", "false")];
        Assert.Equal(7, metrics.Sum(Requests, [.. fromFrontend, ("destination_service", "posts"), ("destination_namespace", "blog"), ("code", "200"), ("error", "")]));
        Assert.Equal(2, metrics.Sum(Requests, [.. fromFrontend, ("destination_service", "comments"), ("code", "503"), ("error", "no-healthy-endpoints")]));
        Assert.Equal(3, metrics.Sum(Requests, [.. fromFrontend, ("destination_service", ""), ("destination_namespace", ""), ("code", "404"), ("error", "no-route")]));
        Assert.Equal(12, metrics.Sum(Requests));
        Assert.Equal(7, metrics.Sum(DurationCount, ("destination_service", "posts")));
        Assert.Equal(2, metrics.Sum(DurationCount, ("destination_service", "comments")));
        Assert.Equal(12, metrics.Sum(DurationCount));
        // Every observation lands in the +Inf bucket, and the buckets are the contract's fourteen plus +Inf.
        Assert.Equal(7, metrics.Sum("meshnet_request_duration_seconds_bucket", ("destination_service", "posts"), ("le", "+Inf")));
        Assert.Equal(15, metrics.Named("meshnet_request_duration_seconds_bucket").Count(s => s.Labels["destination_service"] == "posts"));
        Assert.Equal(7, backend.Hits);
    }

    [Fact]
    public async Task Counts_Retries_AsOneRequestAndTheirOwnCounter()
    {
        await using var failing = await FaultBackend.StartAsync("a");
        await using var healthy = await FaultBackend.StartAsync("b");
        failing.Behaviour = FaultBackend.Status(503);
        await using var sidecar = await MetricsSidecar.StartAsync();
        await sidecar.ApplyAsync("v1", Frontend, Posts(failing, healthy).WithRetries(2, "gateway-error"));

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal((200, null), await sidecar.OutboundAsync("posts.blog"));
        }

        var metrics = await sidecar.MetricsAsync();
        Assert.Equal(10, metrics.Sum(Requests, ("destination_service", "posts"), ("code", "200")));
        Assert.Equal(10, metrics.Sum(Requests));
        Assert.True(failing.Hits >= 1);
        Assert.Equal(failing.Hits, metrics.Sum("meshnet_retries_total", ("destination_service", "posts"), ("destination_namespace", "blog")));
        Assert.Equal(0, metrics.Sum("meshnet_retry_budget_exhausted_total", ("destination_service", "posts")));
        Assert.Equal(0, metrics.Sum("meshnet_circuit_breaker_overflows_total", ("destination_service", "posts")));
    }

    [Fact]
    public async Task Counts_InboundRequests_AsThisWorkloadCalledByAPlaintextPeer()
    {
        await using var app = await Backend.StartAsync("frontend-app");
        await using var sidecar = await MetricsSidecar.StartAsync(appPort: app.Port);
        await sidecar.ApplyAsync("v1", Frontend);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal((200, null), await sidecar.SendAsync(sidecar.InboundPort, "frontend.blog"));
        }

        var metrics = await sidecar.MetricsAsync();
        Assert.Equal(4, metrics.Sum(
            Requests,
            ("direction", "inbound"), ("source_workload", ""), ("source_namespace", ""), ("destination_service", ""),
            ("destination_namespace", "blog"), ("destination_workload", "frontend"), ("code", "200"), ("error", ""), ("tls", "false")));
        Assert.Equal(4, metrics.Sum(DurationCount, ("direction", "inbound")));
        Assert.True(metrics.Sum("meshnet_tcp_connections_opened_total", ("direction", "inbound"), ("tls", "false")) >= 1);
        Assert.True(metrics.Sum("meshnet_tcp_received_bytes_total", ("direction", "inbound"), ("tls", "false")) >= 4 * "GET / HTTP/1.1\r\n".Length);
        Assert.True(metrics.Sum("meshnet_tcp_sent_bytes_total", ("direction", "inbound"), ("tls", "false")) >= 4 * "HTTP/1.1 200 OK\r\n".Length);
    }

    [Fact]
    public async Task Counts_ConnectionsOpenedAndClosed()
    {
        await using var backend = await FaultBackend.StartAsync("posts-1");
        await using var sidecar = await MetricsSidecar.StartAsync();
        await sidecar.ApplyAsync("v1", Frontend, Posts(backend));

        using (var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{sidecar.OutboundPort}/") { Headers = { Host = "posts.blog", ConnectionClose = true } };
            using var response = await client.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
        }

        // The server side of a closed connection finishes a moment after the client's; poll with a deadline.
        var deadline = Stopwatch.StartNew();
        Exposition metrics;
        do
        {
            metrics = await sidecar.MetricsAsync();
        }
        while (metrics.Sum("meshnet_tcp_connections_closed_total", ("direction", "outbound")) < 1 && deadline.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(1, metrics.Sum("meshnet_tcp_connections_opened_total", ("direction", "outbound"), ("tls", "false")));
        Assert.Equal(1, metrics.Sum("meshnet_tcp_connections_closed_total", ("direction", "outbound"), ("tls", "false")));
    }

    [Fact]
    public async Task Reports_TheAppliedVersion_AndTheAgeOfTheLastAck()
    {
        await using var sidecar = await MetricsSidecar.StartAsync();
        var before = await sidecar.MetricsAsync();
        Assert.Empty(before.Named("meshnet_config_version_info"));
        Assert.Empty(before.Named("meshnet_config_last_ack_age_seconds"));

        await sidecar.ApplyAsync("v1", Frontend);
        await sidecar.ApplyAsync("v2", Frontend);

        var metrics = await sidecar.MetricsAsync();
        var version = Assert.Single(metrics.Named("meshnet_config_version_info"));
        Assert.Equal(("v2", 1.0), (version.Labels["version"], version.Value));
        Assert.InRange(Assert.Single(metrics.Named("meshnet_config_last_ack_age_seconds")).Value, 0, 60);
        // Without a join token there is no certificate, so no expiry to report.
        Assert.Empty(metrics.Named("meshnet_certificate_expiry_seconds"));
    }

    [Fact]
    public async Task KeepsTheSeriesCount_UnderAThousandRandomPaths()
    {
        await using var backend = await FaultBackend.StartAsync("posts-1");
        await using var sidecar = await MetricsSidecar.StartAsync();
        await sidecar.ApplyAsync("v1", Frontend, Posts(backend));
        Assert.Equal((200, null), await sidecar.OutboundAsync("posts.blog", "/warm-up"));
        Assert.Equal((404, "no-route"), await sidecar.OutboundAsync("nowhere.blog", "/warm-up"));
        var before = await sidecar.ScrapeAsync();
        var seriesBefore = sidecar.Metrics.RequestSeriesCount;

        for (var i = 0; i < 500; i++)
        {
            await sidecar.OutboundAsync("posts.blog", $"/posts/{Guid.NewGuid():N}?id={i}");
            await sidecar.OutboundAsync("nowhere.blog", $"/{Guid.NewGuid():N}");
        }

        var after = await sidecar.ScrapeAsync();
        Assert.Equal(seriesBefore, sidecar.Metrics.RequestSeriesCount);
        Assert.Equal(Exposition.Parse(before.Body).Samples.Count, Exposition.Parse(after.Body).Samples.Count);
        Assert.DoesNotContain("/posts/", after.Body, StringComparison.Ordinal);
        Assert.Equal(501, Exposition.Parse(after.Body).Sum(Requests, ("destination_service", "posts")));
    }

    [Fact]
    public async Task LabelsAnUnknownErrorReason_AsOther()
    {
        await using var backend = await FaultBackend.StartAsync("posts-1");
        backend.Behaviour = context =>
        {
            context.Response.StatusCode = 500;
            context.Response.Headers["x-meshnet-error"] = Guid.NewGuid().ToString("N");
            return Task.CompletedTask;
        };
        await using var sidecar = await MetricsSidecar.StartAsync();
        await sidecar.ApplyAsync("v1", Frontend, Posts(backend));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(500, (await sidecar.OutboundAsync("posts.blog")).Status);
        }

        var metrics = await sidecar.MetricsAsync();
        Assert.Equal(3, metrics.Sum(Requests, ("destination_service", "posts"), ("code", "500"), ("error", "other")));
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Infrastructure;
using MeshNet.Proxy.Tests.Resilience;
using static MeshNet.Proxy.Tests.Resilience.Policies;

namespace MeshNet.Proxy.Tests.Telemetry;

public sealed class AccessLogTests
{
    private static readonly Protocol.V1.Telemetry JsonLog = new() { Workload = "frontend", AccessLog = AccessLogFormat.AccessLogJson };

    [Fact]
    public async Task WritesOneJsonLinePerRequest_WithIdentityRequestAndOutcome()
    {
        await using var backend = await FaultBackend.StartAsync("posts-1");
        backend.Behaviour = async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            await context.Response.WriteAsync(new string('x', 1234));
        };
        await using var sidecar = await MetricsSidecar.StartAsync();
        await sidecar.ApplyAsync("v1", JsonLog, Posts(backend), MeshConfig.Cluster("blog", "comments", 80));

        using (var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{sidecar.OutboundPort}/posts/42?secret=1")
        {
            Content = new ByteArrayContent(new byte[300]),
            Headers = { Host = "posts.blog" },
        })
        {
            using var response = await sidecar.Client.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal((503, "no-healthy-endpoints"), await sidecar.OutboundAsync("comments.blog", "/c"));

        using var first = JsonDocument.Parse(await sidecar.NextAccessLogLineAsync());
        var line = first.RootElement;
        Assert.True(DateTimeOffset.TryParse(line.GetProperty("timestamp").GetString(), out _));
        Assert.Equal(string.Empty, line.GetProperty("traceId").GetString());
        Assert.Equal("outbound", line.GetProperty("direction").GetString());
        Assert.Equal(("frontend", "blog"), (line.GetProperty("source").GetProperty("workload").GetString(), line.GetProperty("source").GetProperty("namespace").GetString()));
        var destination = line.GetProperty("destination");
        Assert.Equal(("posts", "blog"), (destination.GetProperty("service").GetString(), destination.GetProperty("namespace").GetString()));
        Assert.Equal($"127.0.0.1:{backend.Port}", destination.GetProperty("endpoint").GetString());
        Assert.Equal("POST", line.GetProperty("method").GetString());
        Assert.Equal("posts.blog", line.GetProperty("authority").GetString());
        Assert.Equal("/posts/42", line.GetProperty("path").GetString());
        Assert.Equal(200, line.GetProperty("status").GetInt32());
        Assert.Equal(string.Empty, line.GetProperty("error").GetString());
        Assert.True(line.GetProperty("durationMs").GetDouble() > 0);
        Assert.Equal((300, 1234), (line.GetProperty("bytesIn").GetInt64(), line.GetProperty("bytesOut").GetInt64()));
        Assert.Equal(1, line.GetProperty("attempts").GetInt32());
        Assert.False(line.GetProperty("tls").GetBoolean());

        using var second = JsonDocument.Parse(await sidecar.NextAccessLogLineAsync());
        Assert.Equal(
            (503, "no-healthy-endpoints", "comments", 0),
            (second.RootElement.GetProperty("status").GetInt32(), second.RootElement.GetProperty("error").GetString(),
                second.RootElement.GetProperty("destination").GetProperty("service").GetString(), second.RootElement.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task LogsInboundRequests_WithThePeerAndThisWorkload()
    {
        await using var app = await Backend.StartAsync("frontend-app");
        await using var sidecar = await MetricsSidecar.StartAsync(appPort: app.Port);
        await sidecar.ApplyAsync("v1", JsonLog);

        Assert.Equal((200, null), await sidecar.SendAsync(sidecar.InboundPort, "frontend.blog", "/home"));

        using var document = JsonDocument.Parse(await sidecar.NextAccessLogLineAsync());
        var line = document.RootElement;
        Assert.Equal("inbound", line.GetProperty("direction").GetString());
        Assert.Equal("127.0.0.1", line.GetProperty("source").GetProperty("address").GetString());
        Assert.Equal(string.Empty, line.GetProperty("source").GetProperty("identity").GetString());
        Assert.Equal(("frontend", "blog"), (line.GetProperty("destination").GetProperty("workload").GetString(), line.GetProperty("destination").GetProperty("namespace").GetString()));
        Assert.Equal(("/home", 200), (line.GetProperty("path").GetString(), line.GetProperty("status").GetInt32()));
        Assert.True(line.GetProperty("bytesOut").GetInt64() > 0);
    }

    [Fact]
    public async Task WritesNothing_UntilTheControlPlaneTurnsItOn()
    {
        await using var backend = await FaultBackend.StartAsync("posts-1");
        await using var sidecar = await MetricsSidecar.StartAsync();
        await sidecar.ApplyAsync("v1", new Protocol.V1.Telemetry { Workload = "frontend" }, Posts(backend));
        Assert.Equal((200, null), await sidecar.OutboundAsync("posts.blog", "/off"));

        await sidecar.ApplyAsync("v2", JsonLog, Posts(backend));
        Assert.Equal((200, null), await sidecar.OutboundAsync("posts.blog", "/on"));

        // The first line is the request sent after the switch: the one before it was never written.
        using var document = JsonDocument.Parse(await sidecar.NextAccessLogLineAsync());
        Assert.Equal("/on", document.RootElement.GetProperty("path").GetString());
        Assert.Equal(0, (await sidecar.MetricsAsync()).Sum("meshnet_access_log_dropped_total"));
    }

    [Fact]
    public async Task KeepsTheLastTelemetry_WhenADeltaLeavesItOut()
    {
        await using var backend = await FaultBackend.StartAsync("posts-1");
        await using var sidecar = await MetricsSidecar.StartAsync();
        await sidecar.ApplyAsync("v1", JsonLog, Posts(backend));
        await Sidecar.AcceptAsync(sidecar.ControlPlane, MeshConfig.Delta("v2"));

        Assert.Equal((200, null), await sidecar.OutboundAsync("posts.blog", "/after-delta"));

        using var document = JsonDocument.Parse(await sidecar.NextAccessLogLineAsync());
        Assert.Equal("/after-delta", document.RootElement.GetProperty("path").GetString());
        Assert.Equal("frontend", document.RootElement.GetProperty("source").GetProperty("workload").GetString());
    }
}

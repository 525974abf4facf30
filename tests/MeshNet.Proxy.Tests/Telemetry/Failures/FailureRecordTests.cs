using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.Proxy.Tests.Infrastructure;
using MeshNet.Proxy.Tests.Resilience;
using static MeshNet.Proxy.Tests.Resilience.Policies;

namespace MeshNet.Proxy.Tests.Telemetry.Failures;

/// <summary>
/// The real sidecar with metrics off (the ring must not depend on them): which responses leave an entry in
/// GET /failures, what x-request-id the mesh's own error responses carry, and how each id finds the entry.
/// </summary>
public sealed class FailureRecordTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Fact]
    public async Task NoRoute_CarriesAFreshRequestId_ThatFindsTheEntry_WithoutTheQueryString()
    {
        await using var sidecar = await MetricsSidecar.StartAsync(metrics: false);
        await sidecar.ApplyAsync("v1", null, MeshConfig.Cluster("blog", "posts", 80));

        var reply = await SendAsync(sidecar, "nowhere.blog:8080", "/api/things?token=secret");

        Assert.Equal(404, reply.Status);
        Assert.Equal("no-route", reply.Error);
        var id = Assert.IsType<string>(reply.RequestId);
        Assert.Matches("^[0-9a-f]{32}$", id);
        var entry = Assert.Single(await FailuresAsync(sidecar, id));
        Assert.Equal("outbound", entry.GetProperty("direction").GetString());
        Assert.Equal("GET", entry.GetProperty("method").GetString());
        Assert.Equal("nowhere.blog:8080", entry.GetProperty("authority").GetString());
        Assert.Equal("/api/things", entry.GetProperty("path").GetString());
        Assert.Equal(404, entry.GetProperty("status").GetInt32());
        Assert.Equal("no-route", entry.GetProperty("error").GetString());
        Assert.Equal(id, entry.GetProperty("requestId").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("traceId").ValueKind);
        Assert.DoesNotContain("secret", await AllFailuresTextAsync(sidecar), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Successes_LeaveNoEntry()
    {
        await using var backend = await FaultBackend.StartAsync("posts-1");
        await using var sidecar = await MetricsSidecar.StartAsync(metrics: false);
        await sidecar.ApplyAsync("v1", null, Posts(backend));

        for (var i = 0; i < 20; i++)
        {
            var reply = await SendAsync(sidecar, "posts.blog", "/ok", ("x-request-id", $"ok-{i}"));
            Assert.Equal(200, reply.Status);
            Assert.Null(reply.RequestId);
        }

        var all = await AllFailuresAsync(sidecar);
        Assert.Equal(0, all.GetProperty("recorded").GetInt64());
        Assert.Equal(1000, all.GetProperty("capacity").GetInt32());
        Assert.Empty(all.GetProperty("failures").EnumerateArray());
    }

    [Fact]
    public async Task MeshError_EchoesTheRequestsOwnId_AndIsFoundByIt()
    {
        await using var sidecar = await MetricsSidecar.StartAsync(metrics: false);
        await sidecar.ApplyAsync("v1", null, MeshConfig.Cluster("blog", "posts", 80));

        var reply = await SendAsync(sidecar, "posts.blog", "/", ("x-request-id", "order-42"));

        Assert.Equal((503, "no-healthy-endpoints", "order-42"), (reply.Status, reply.Error, reply.RequestId));
        var entry = Assert.Single(await FailuresAsync(sidecar, "order-42"));
        Assert.Equal("blog/posts", entry.GetProperty("service").GetString());
        Assert.Contains("had no endpoint to pick", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MeshError_WithATraceparent_AnswersWithTheTraceId_AndIsFoundByIt()
    {
        await using var sidecar = await MetricsSidecar.StartAsync(metrics: false);
        await sidecar.ApplyAsync("v1", null, MeshConfig.Cluster("blog", "posts", 80));

        var reply = await SendAsync(sidecar, "posts.blog", "/", ("traceparent", $"00-{TraceId}-00f067aa0ba902b7-01"));

        Assert.Equal(TraceId, reply.RequestId);
        var entry = Assert.Single(await FailuresAsync(sidecar, TraceId));
        Assert.Equal(TraceId, entry.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task MeshError_WithA64BitB3TraceId_IsFoundByTheShortId()
    {
        await using var sidecar = await MetricsSidecar.StartAsync(metrics: false);
        await sidecar.ApplyAsync("v1", null, MeshConfig.Cluster("blog", "posts", 80));

        await SendAsync(sidecar, "posts.blog", "/", ("X-B3-TraceId", "a3ce929d0e0e4736"), ("X-B3-SpanId", "00f067aa0ba902b7"));

        var entry = Assert.Single(await FailuresAsync(sidecar, "a3ce929d0e0e4736"));
        Assert.Equal("0000000000000000a3ce929d0e0e4736", entry.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task OneRequest_WithEveryKindOfId_IsOneEntry_FoundByEach()
    {
        await using var sidecar = await MetricsSidecar.StartAsync(metrics: false);
        await sidecar.ApplyAsync("v1", null, MeshConfig.Cluster("blog", "posts", 80));

        var reply = await SendAsync(sidecar, "posts.blog", "/", ("x-request-id", "both-1"), ("traceparent", $"00-{TraceId}-00f067aa0ba902b7-01"));

        Assert.Equal("both-1", reply.RequestId);
        Assert.Equal(1, (await AllFailuresAsync(sidecar)).GetProperty("recorded").GetInt64());
        Assert.Single(await FailuresAsync(sidecar, "both-1"));
        Assert.Single(await FailuresAsync(sidecar, TraceId));
    }

    [Theory]
    [InlineData("too-long")]
    [InlineData("has space")]
    public async Task HostileRequestId_IsNotEchoedNorStored_AFreshOneIs(string kind)
    {
        var hostile = kind == "too-long" ? new string('x', 4000) : "has space";
        await using var sidecar = await MetricsSidecar.StartAsync(metrics: false);
        await sidecar.ApplyAsync("v1", null, MeshConfig.Cluster("blog", "posts", 80));

        var reply = await SendAsync(sidecar, "nowhere.blog", "/", ("x-request-id", hostile));

        Assert.Matches("^[0-9a-f]{32}$", reply.RequestId);
        var entry = Assert.Single((await AllFailuresAsync(sidecar)).GetProperty("failures").EnumerateArray());
        Assert.Equal(reply.RequestId, entry.GetProperty("requestId").GetString());
        Assert.Empty(await FailuresAsync(sidecar, "has%20space"));
    }

    [Fact]
    public async Task LongHostAndPath_AreStoredCapped()
    {
        await using var sidecar = await MetricsSidecar.StartAsync(metrics: false);
        await sidecar.ApplyAsync("v1", null, MeshConfig.Cluster("blog", "posts", 80));

        await SendAsync(sidecar, "nowhere.blog", "/" + new string('p', 5000));

        var entry = Assert.Single((await AllFailuresAsync(sidecar)).GetProperty("failures").EnumerateArray());
        Assert.Equal(256, entry.GetProperty("path").GetString()!.Length);
    }

    [Fact]
    public async Task AppFailure_PassesThroughUnstamped_AndIsRecordedByRequestId()
    {
        await using var backend = await FaultBackend.StartAsync("posts-1");
        backend.Behaviour = FaultBackend.Status(500);
        await using var sidecar = await MetricsSidecar.StartAsync(metrics: false);
        await sidecar.ApplyAsync("v1", null, Posts(backend));

        var reply = await SendAsync(sidecar, "posts.blog", "/boom?x=1", ("x-request-id", "app-500"));

        Assert.Equal((500, null, null), (reply.Status, reply.Error, reply.RequestId));
        var entry = Assert.Single(await FailuresAsync(sidecar, "app-500"));
        Assert.Equal(500, entry.GetProperty("status").GetInt32());
        Assert.Equal(string.Empty, entry.GetProperty("error").GetString());
        Assert.Equal($"127.0.0.1:{backend.Port}", entry.GetProperty("endpoint").GetString());
        Assert.Equal($"test/pod-{backend.Port}", entry.GetProperty("endpointWorkload").GetString());
        Assert.Equal(1, entry.GetProperty("attempts").GetInt32());
        Assert.Equal("/boom", entry.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Overloaded_IsRecordedWithTheBreakersDetail()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await FaultBackend.StartAsync("a");
        slow.Behaviour = _ => release.Task;
        await using var sidecar = await MetricsSidecar.StartAsync(metrics: false);
        var cluster = Posts(slow);
        cluster.CircuitBreaker.MaxRequests = 1;
        await sidecar.ApplyAsync("v1", null, cluster);

        var held = SendAsync(sidecar, "posts.blog", "/held");
        await slow.NextArrivalAsync();
        var refused = await SendAsync(sidecar, "posts.blog", "/refused");
        release.SetResult();
        Assert.Equal(200, (await held).Status);

        Assert.Equal((503, "overloaded"), (refused.Status, refused.Error));
        var entry = Assert.Single(await FailuresAsync(sidecar, refused.RequestId!));
        Assert.Equal("/refused", entry.GetProperty("path").GetString());
        Assert.Equal(0, entry.GetProperty("attempts").GetInt32());
        Assert.Contains("circuit breaker of outbound|80||posts.blog.svc.cluster.local refused it with 1 requests in flight", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static async Task<Reply> SendAsync(MetricsSidecar sidecar, string host, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{sidecar.OutboundPort}{path}");
        request.Headers.Host = host;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await sidecar.Client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return new Reply(
            (int)response.StatusCode,
            response.Headers.TryGetValues("x-meshnet-error", out var errors) ? errors.Single() : null,
            response.Headers.TryGetValues("x-request-id", out var ids) ? ids.Single() : null);
    }

    private static async Task<JsonElement> AllFailuresAsync(MetricsSidecar sidecar) =>
        await sidecar.Client.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{sidecar.AdminPort}/failures");

    private static Task<string> AllFailuresTextAsync(MetricsSidecar sidecar) =>
        sidecar.Client.GetStringAsync($"http://127.0.0.1:{sidecar.AdminPort}/failures");

    private static async Task<List<JsonElement>> FailuresAsync(MetricsSidecar sidecar, string id)
    {
        var body = await sidecar.Client.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{sidecar.AdminPort}/failures?id={id}");
        return [.. body.GetProperty("failures").EnumerateArray()];
    }

    private sealed record Reply(int Status, string? Error, string? RequestId);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using MeshNet.Proxy.Telemetry.Tracing;
using MeshNet.Proxy.Tests.Infrastructure;
using MeshNet.Proxy.Tests.Resilience;
using Microsoft.AspNetCore.Http;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests.Tracing;

/// <summary>Spans and trace context through the real sidecar: outbound listener, attempts, inbound listener, app.</summary>
public sealed class SidecarTracingTests
{
    private static readonly ActivityTraceId AppTrace = ActivityTraceId.CreateFromString("4bf92f3577b34da6a3ce929d0e0e4736");
    private static readonly ActivitySpanId AppSpan = ActivitySpanId.CreateFromString("00f067aa0ba902b7");

    [Fact]
    public async Task OutboundAttemptAndInbound_ContinueTheAppsTrace_AsOneParentChildChain()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = await FaultBackend.StartAsync("posts");
        app.Behaviour = Record(seen);
        await using var sidecar = await TracedSidecar.StartAsync();
        // The Service's endpoint is this sidecar's own inbound listener: outbound -> inbound -> app in one process.
        await Sidecar.AcceptAsync(sidecar.ControlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Meshed(sidecar.InboundPort, app.Port))]));

        using var response = await sidecar.SendAsync(sidecar.OutboundPort, "posts.blog", new Dictionary<string, string>
        {
            ["traceparent"] = $"00-{AppTrace}-{AppSpan}-01",
            ["tracestate"] = "vendor=x",
        }, "/posts/1");

        Assert.Equal(200, (int)response.StatusCode);
        var spans = await sidecar.SpansOfAsync(AppTrace, 3);
        var outbound = Assert.Single(spans, s => s.OperationName == "outbound");
        var attempt = Assert.Single(spans, s => s.Kind == ActivityKind.Client);
        var inbound = Assert.Single(spans, s => s.OperationName == "inbound");
        Assert.Equal((ActivityKind.Server, AppSpan), (outbound.Kind, outbound.ParentSpanId));
        Assert.Equal(outbound.SpanId, attempt.ParentSpanId);
        Assert.Equal(attempt.SpanId, inbound.ParentSpanId);
        Assert.Equal($"00-{AppTrace}-{inbound.SpanId}-01", Assert.Single(seen));
        Assert.Equal("outbound posts.blog", outbound.DisplayName);
        Assert.Equal("GET posts.blog", attempt.DisplayName);

        Assert.Equal("frontend", outbound.GetTagItem("meshnet.source.workload"));
        Assert.Equal("blog", outbound.GetTagItem("meshnet.source.namespace"));
        Assert.Equal("posts", outbound.GetTagItem("meshnet.destination.service"));
        Assert.Equal("blog", outbound.GetTagItem("meshnet.destination.namespace"));
        Assert.Equal("GET", outbound.GetTagItem("http.request.method"));
        Assert.Equal("/posts/1", outbound.GetTagItem("url.path"));
        Assert.Equal("posts.blog", outbound.GetTagItem("server.address"));
        Assert.Equal(200, outbound.GetTagItem("http.response.status_code"));

        Assert.Equal(0, attempt.GetTagItem("meshnet.retry.attempt"));
        Assert.Equal($"127.0.0.1:{sidecar.InboundPort}", attempt.GetTagItem("meshnet.destination.endpoint"));
        Assert.Equal("127.0.0.1", attempt.GetTagItem("network.peer.address"));
        Assert.Equal(sidecar.InboundPort, attempt.GetTagItem("network.peer.port"));
        Assert.Equal("posts", attempt.GetTagItem("meshnet.destination.service"));
        Assert.Equal(200, attempt.GetTagItem("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Unset, attempt.Status);

        Assert.Equal("frontend", inbound.GetTagItem("meshnet.destination.workload"));
        Assert.Equal("blog", inbound.GetTagItem("meshnet.destination.namespace"));
        Assert.Equal(string.Empty, inbound.GetTagItem("meshnet.source.workload"));
        Assert.Equal("127.0.0.1", inbound.GetTagItem("network.peer.address"));
        Assert.Equal("vendor=x", inbound.TraceStateString);
    }

    [Fact]
    public async Task RetriedRequest_HasOneClientSpanPerAttempt_SiblingsUnderTheRequestSpan()
    {
        var hits = 0;
        await using var app = await FaultBackend.StartAsync("posts");
        app.Behaviour = context =>
        {
            // The first attempt fails with a retriable status, the retry succeeds.
            if (Interlocked.Increment(ref hits) == 1)
            {
                context.Response.StatusCode = 503;
                return Task.CompletedTask;
            }

            return context.Response.WriteAsync("ok");
        };
        await using var sidecar = await TracedSidecar.StartAsync();
        await Sidecar.AcceptAsync(sidecar.ControlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Policies.Posts(app).WithRetries(1, "gateway-error")]));

        using var response = await sidecar.SendAsync(sidecar.OutboundPort, "posts.blog", new Dictionary<string, string> { ["traceparent"] = $"00-{AppTrace}-{AppSpan}-01" });

        Assert.Equal(200, (int)response.StatusCode);
        var spans = await sidecar.SpansOfAsync(AppTrace, 3);
        var request = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        var attempts = spans.Where(s => s.Kind == ActivityKind.Client).OrderBy(s => (int)s.GetTagItem("meshnet.retry.attempt")!).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(request.SpanId, a.ParentSpanId));
        Assert.Equal([0, 1], attempts.Select(a => (int)a.GetTagItem("meshnet.retry.attempt")!));
        Assert.Equal((503, "503", ActivityStatusCode.Error), (attempts[0].GetTagItem("http.response.status_code"), attempts[0].GetTagItem("error.type"), attempts[0].Status));
        Assert.Equal((200, ActivityStatusCode.Unset), (attempts[1].GetTagItem("http.response.status_code"), attempts[1].Status));
        Assert.Equal(200, request.GetTagItem("http.response.status_code"));
    }

    [Theory]
    [InlineData("b3", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1")]
    [InlineData("b3-64bit", "a3ce929d0e0e4736-00f067aa0ba902b7-1-05e3ac9a4f6e3b90")]
    [InlineData("multi", "")]
    public async Task B3ParentOnInbound_IsJoined_AndTheAppGetsW3COnly(string form, string single)
    {
        var seen = new ConcurrentQueue<string>();
        var b3Left = new ConcurrentQueue<bool>();
        await using var app = await FaultBackend.StartAsync("posts");
        app.Behaviour = context =>
        {
            b3Left.Enqueue(context.Request.Headers.ContainsKey("b3") || context.Request.Headers.ContainsKey("X-B3-TraceId"));
            return Record(seen)(context);
        };
        await using var sidecar = await TracedSidecar.StartAsync();
        await Sidecar.AcceptAsync(sidecar.ControlPlane, Full("1", [], [], new Protocol.V1.Inbound { DefaultPort = (uint)app.Port }));
        var headers = form == "multi"
            ? new Dictionary<string, string> { ["X-B3-TraceId"] = "4bf92f3577b34da6a3ce929d0e0e4736", ["X-B3-SpanId"] = "00f067aa0ba902b7", ["X-B3-Sampled"] = "1" }
            : new Dictionary<string, string> { ["b3"] = single };

        using var response = await sidecar.SendAsync(sidecar.InboundPort, "posts.blog", headers);

        Assert.Equal(200, (int)response.StatusCode);
        var trace = form == "b3-64bit" ? ActivityTraceId.CreateFromString("0000000000000000a3ce929d0e0e4736") : AppTrace;
        var inbound = Assert.Single(await sidecar.SpansOfAsync(trace, 1));
        Assert.Equal((ActivityKind.Server, AppSpan), (inbound.Kind, inbound.ParentSpanId));
        Assert.Equal($"00-{trace}-{inbound.SpanId}-01", Assert.Single(seen));
        Assert.False(Assert.Single(b3Left));
    }

    [Fact]
    public async Task UnsampledParent_GetsNoSpan_AndItsTraceparentPassesUnchanged()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = await FaultBackend.StartAsync("posts");
        app.Behaviour = Record(seen);
        await using var sidecar = await TracedSidecar.StartAsync();
        await Sidecar.AcceptAsync(sidecar.ControlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Meshed(sidecar.InboundPort, app.Port))]));
        var unsampled = $"00-{AppTrace}-{AppSpan}-00";

        using var response = await sidecar.SendAsync(sidecar.OutboundPort, "posts.blog", new Dictionary<string, string> { ["traceparent"] = unsampled });

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(unsampled, Assert.Single(seen));
        Assert.Empty(sidecar.EndedSpans());
    }

    [Fact]
    public async Task NewTrace_NotSampled_IsPassedOnAsUnsampled_SoLaterHopsAgree()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = await FaultBackend.StartAsync("posts");
        app.Behaviour = Record(seen);
        await using var sidecar = await TracedSidecar.StartAsync(new TracingOptions { ListenOnly = true, Sampling = new TraceSampling(0, ParentBased: true) });
        await Sidecar.AcceptAsync(sidecar.ControlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Meshed(sidecar.InboundPort, app.Port))]));

        using var response = await sidecar.SendAsync(sidecar.OutboundPort, "posts.blog");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", Assert.Single(seen));
        Assert.Empty(sidecar.EndedSpans());
    }

    [Fact]
    public async Task NewTrace_Sampled_StartsAtTheOutboundListener()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = await FaultBackend.StartAsync("posts");
        app.Behaviour = Record(seen);
        await using var sidecar = await TracedSidecar.StartAsync();
        await Sidecar.AcceptAsync(sidecar.ControlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Plain(app.Port))]));

        using var response = await sidecar.SendAsync(sidecar.OutboundPort, "posts.blog");

        Assert.Equal(200, (int)response.StatusCode);
        var traceparent = Assert.Single(seen);
        var trace = ActivityTraceId.CreateFromString(traceparent.AsSpan(3, 32));
        var spans = await sidecar.SpansOfAsync(trace, 2);
        var root = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        var attempt = Assert.Single(spans, s => s.Kind == ActivityKind.Client);
        Assert.Equal(default, root.ParentSpanId);
        Assert.Equal($"00-{trace}-{attempt.SpanId}-01", traceparent);
    }

    [Fact]
    public async Task NoRoute_IsAFailedServerSpan_WithTheMeshReason()
    {
        await using var sidecar = await TracedSidecar.StartAsync();
        await Sidecar.AcceptAsync(sidecar.ControlPlane, Full("1", [], []));

        using var response = await sidecar.SendAsync(sidecar.OutboundPort, "nowhere.blog", new Dictionary<string, string> { ["traceparent"] = $"00-{AppTrace}-{AppSpan}-01" });

        Assert.Equal(404, (int)response.StatusCode);
        var span = Assert.Single(await sidecar.SpansOfAsync(AppTrace, 1));
        Assert.Equal((404, "no-route"), (span.GetTagItem("http.response.status_code"), span.GetTagItem("meshnet.error")));
        // A 4xx is the caller's mistake: the server span is not an error.
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Null(span.GetTagItem("meshnet.destination.service"));
    }

    [Fact]
    public async Task Workload_IsTheOnePushedForMetrics_OnceTheControlPlaneSendsIt()
    {
        await using var app = await FaultBackend.StartAsync("posts");
        await using var sidecar = await TracedSidecar.StartAsync();
        var config = Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Plain(app.Port))]);
        config.Telemetry = new Protocol.V1.Telemetry { Workload = "frontend-web" };
        await Sidecar.AcceptAsync(sidecar.ControlPlane, config);

        using var response = await sidecar.SendAsync(sidecar.OutboundPort, "posts.blog", new Dictionary<string, string> { ["traceparent"] = $"00-{AppTrace}-{AppSpan}-01" });

        Assert.Equal(200, (int)response.StatusCode);
        var spans = await sidecar.SpansOfAsync(AppTrace, 2);
        Assert.Equal("frontend-web", Assert.Single(spans, s => s.Kind == ActivityKind.Server).GetTagItem("meshnet.source.workload"));
    }

    [Fact]
    public async Task TracingOff_TouchesNoTraceHeaders()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = await FaultBackend.StartAsync("posts");
        app.Behaviour = Record(seen);
        await using var sidecar = await TracedSidecar.StartAsync(TracingOptions.Off);
        await Sidecar.AcceptAsync(sidecar.ControlPlane, Full("1", [VirtualHost("blog", "posts", 80, "blog")], [Cluster("blog", "posts", 80, Meshed(sidecar.InboundPort, app.Port))]));
        var sampled = $"00-{AppTrace}-{AppSpan}-01";

        using var withParent = await sidecar.SendAsync(sidecar.OutboundPort, "posts.blog", new Dictionary<string, string> { ["traceparent"] = sampled });
        using var without = await sidecar.SendAsync(sidecar.OutboundPort, "posts.blog");

        Assert.Equal([sampled, "(none)"], seen);
        Assert.Empty(sidecar.EndedSpans());
    }

    private static Func<HttpContext, Task> Record(ConcurrentQueue<string> traceparents) => context =>
    {
        traceparents.Enqueue(context.Request.Headers.TraceParent is { Count: > 0 } value ? value.ToString() : "(none)");
        return context.Response.WriteAsync("ok");
    };
}

using System.Diagnostics;
using MeshNet.EndToEnd.Tests.Otlp;

namespace MeshNet.EndToEnd.Tests;

/// <summary>
/// Distributed tracing through a running mesh (the blog app, frontend -> posts -> comments, under meshctl up):
/// every hop's spans reach the in-test OTLP receiver as one trace, each span the parent of the next.
/// </summary>
public sealed class TracingTests(TracedBlogMesh mesh) : IClassFixture<TracedBlogMesh>
{
    private static readonly TimeSpan SpanTimeout = TimeSpan.FromSeconds(30);

    /// <summary>From the comments app back to the frontend app: service and what the span is.</summary>
    private static readonly (string Service, string Role)[] ExpectedChain =
    [
        ("comments", "app-server"),
        ("comments", "inbound"),
        ("posts", "attempt"),
        ("posts", "outbound"),
        ("posts", "app-client"),
        ("posts", "app-server"),
        ("posts", "inbound"),
        ("frontend", "attempt"),
        ("frontend", "outbound"),
        ("frontend", "app-client"),
        ("frontend", "app-server"),
    ];

    [Fact]
    public async Task RequestThroughFrontendPostsAndComments_IsOneTrace_EachHopTheParentOfTheNext()
    {
        var (response, traceId, rootParent) = await mesh.CallFrontendAsync();
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        var spans = await mesh.Receiver.WaitForTraceAsync(traceId, s => CommentsLeaf(s) is { } leaf && Chain(s, leaf).Count == ExpectedChain.Length, SpanTimeout);

        var chain = Chain(spans, CommentsLeaf(spans)!);
        Assert.Equal(ExpectedChain, chain.Select(s => (s.Service, Role(s))));
        Assert.Equal(rootParent, chain[^1].ParentSpanId);
        Assert.All(chain, s => Assert.Equal(traceId, s.TraceId));

        var frontendOutbound = chain[8];
        // The workload the control plane names for metrics: the Deployment, or the pod when it cannot tell.
        Assert.StartsWith("frontend", frontendOutbound["meshnet.source.workload"], StringComparison.Ordinal);
        Assert.Equal(TracedBlogMesh.Namespace, frontendOutbound["meshnet.source.namespace"]);
        Assert.Equal(("posts", TracedBlogMesh.Namespace), (frontendOutbound["meshnet.destination.service"], frontendOutbound["meshnet.destination.namespace"]));
        Assert.Equal(("GET", "/", "200"), (frontendOutbound["http.request.method"], frontendOutbound["url.path"], frontendOutbound["http.response.status_code"]));

        // The attempt that reached posts-v1 (a retried one also has a sibling to the failing replica).
        var frontendAttempt = chain[7];
        Assert.Equal($"{mesh.Pods["posts-v1"]}:15006", frontendAttempt["meshnet.destination.endpoint"]);
        Assert.Equal(mesh.Pods["posts-v1"].ToString(), frontendAttempt["network.peer.address"]);
        Assert.Equal(("posts", "200"), (frontendAttempt["meshnet.destination.service"], frontendAttempt["http.response.status_code"]));
        Assert.NotNull(frontendAttempt["meshnet.retry.attempt"]);
        // meshctl certifies every sidecar, so the hop is mTLS and both ends name the other's SPIFFE ID.
        Assert.Equal($"spiffe://cluster.local/ns/{TracedBlogMesh.Namespace}/sa/default", frontendAttempt["meshnet.peer.identity"]);

        var postsInbound = chain[6];
        Assert.StartsWith("posts-v1", postsInbound["meshnet.destination.workload"], StringComparison.Ordinal);
        Assert.Equal(TracedBlogMesh.Namespace, postsInbound["meshnet.destination.namespace"]);
        Assert.Equal(("default", TracedBlogMesh.Namespace), (postsInbound["meshnet.source.workload"], postsInbound["meshnet.source.namespace"]));
        Assert.Equal($"spiffe://cluster.local/ns/{TracedBlogMesh.Namespace}/sa/default", postsInbound["meshnet.peer.identity"]);
        // In loopback mode a sidecar's upstream connections leave from 127.0.0.1, not from its pod address.
        Assert.False(string.IsNullOrEmpty(postsInbound["network.peer.address"]));

        // Sidecars export over gRPC (meshctl's variables), the apps over HTTP/protobuf (their own).
        Assert.All(chain.Where(s => Role(s) is "inbound" or "outbound" or "attempt"), s => Assert.Equal("grpc", s.Protocol));
        Assert.All(chain.Where(s => Role(s).StartsWith("app-", StringComparison.Ordinal)), s => Assert.Equal("http/protobuf", s.Protocol));
    }

    [Fact]
    public async Task RetriedRequest_HasOneClientSpanPerAttempt_UnderOneOutboundSpan()
    {
        // Round-robin over posts-v1 and the replica that answers 503: every other request starts on the failing one.
        for (var i = 0; i < 8; i++)
        {
            var (response, traceId, _) = await mesh.CallFrontendAsync();
            Assert.True(response.IsSuccessStatusCode);
            var outbound = await mesh.Receiver.WaitForAsync(
                spans => spans.FirstOrDefault(s => s.TraceId == traceId && s.Service == "frontend" && Role(s) == "outbound"),
                SpanTimeout,
                $"frontend outbound span of trace {traceId}");
            var attempts = mesh.Receiver.Spans.Where(s => s.TraceId == traceId && s.ParentSpanId == outbound.SpanId).OrderBy(s => s["meshnet.retry.attempt"]).ToList();
            if (attempts.Count < 2)
            {
                continue;
            }

            Assert.Equal(2, attempts.Count);
            Assert.All(attempts, a => Assert.Equal(("client", "posts"), (a.Kind, a["meshnet.destination.service"])));
            Assert.Equal(["0", "1"], attempts.Select(a => a["meshnet.retry.attempt"]));
            Assert.Equal(($"{mesh.Pods["posts-flaky"]}:15006", "503", true), (attempts[0]["meshnet.destination.endpoint"], attempts[0]["http.response.status_code"], attempts[0].IsError));
            Assert.Equal(($"{mesh.Pods["posts-v1"]}:15006", "200", false), (attempts[1]["meshnet.destination.endpoint"], attempts[1]["http.response.status_code"], attempts[1].IsError));
            Assert.Equal("200", outbound["http.response.status_code"]);
            return;
        }

        Assert.Fail("no request to posts was retried in 8 tries");
    }

    [Theory]
    [InlineData("single")]
    [InlineData("multi")]
    public async Task B3OnAnInboundListener_JoinsTheGivenTrace(string form)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var spanId = ActivitySpanId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{mesh.Pods["comments"]}:15006/");
        request.Headers.Host = "comments.tracing";
        if (form == "single")
        {
            request.Headers.TryAddWithoutValidation("b3", $"{traceId}-{spanId}-1");
        }
        else
        {
            request.Headers.TryAddWithoutValidation("X-B3-TraceId", traceId);
            request.Headers.TryAddWithoutValidation("X-B3-SpanId", spanId);
            request.Headers.TryAddWithoutValidation("X-B3-Sampled", "1");
        }

        using var response = await mesh.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        var spans = await mesh.Receiver.WaitForTraceAsync(traceId, s => s.Count >= 2, SpanTimeout);
        var inbound = Assert.Single(spans, s => Role(s) == "inbound");
        var app = Assert.Single(spans, s => Role(s) == "app-server");
        Assert.Equal(("comments", spanId), (inbound.Service, inbound.ParentSpanId));
        Assert.Equal(("comments", inbound.SpanId), (app.Service, app.ParentSpanId));
        // A plaintext caller: no peer identity, and the source workload is empty.
        Assert.Equal(string.Empty, inbound["meshnet.source.workload"]);
    }

    [Fact]
    public async Task ConfigPush_IsOneTrace_FromTheChangeThroughCompileToEachSidecarsAck()
    {
        // A new Service changes every sidecar's routes: one push to all four.
        File.WriteAllText(Path.Combine(mesh.ManifestDirectory, "extra.yaml"), $$"""
            apiVersion: v1
            kind: Service
            metadata: {name: extra-{{Guid.NewGuid().ToString("N")[..6]}}, namespace: {{TracedBlogMesh.Namespace}}}
            spec:
              selector: {app: nobody}
              ports: [{name: http, port: 80}]
            """);

        var push = await mesh.Receiver.WaitForAsync(
            spans =>
            {
                foreach (var root in spans.Where(s => s.Service == "meshnet-control" && s.Name == "config push"))
                {
                    var children = spans.Where(s => s.ParentSpanId == root.SpanId).ToList();
                    var acked = children.Where(s => s.Name.StartsWith("push ", StringComparison.Ordinal) && s["meshnet.push.result"] == "ack").ToList();
                    if (children.Any(s => s.Name == "compile") && acked.Count >= 4)
                    {
                        return new { Root = root, Children = children, Acked = acked };
                    }
                }

                return null;
            },
            SpanTimeout,
            "config push trace with a compile span and four ACKed pushes");

        Assert.Equal(string.Empty, push.Root.ParentSpanId);
        Assert.All(push.Acked, s => Assert.Equal(push.Root.TraceId, s.TraceId));
        Assert.Contains(push.Acked, s => s["meshnet.sidecar"]!.StartsWith($"{TracedBlogMesh.Namespace}/posts-v1-", StringComparison.Ordinal));
        Assert.All(push.Acked, s => Assert.Equal("false", s["meshnet.push.full_state"]));
    }

    /// <summary>The comments app's server span: the far end of the chain.</summary>
    private static ReceivedSpan? CommentsLeaf(IReadOnlyList<ReceivedSpan> spans) =>
        spans.FirstOrDefault(s => s.Service == "comments" && Role(s) == "app-server");

    /// <summary>From <paramref name="leaf"/> up through parents that arrived.</summary>
    private static List<ReceivedSpan> Chain(IReadOnlyList<ReceivedSpan> spans, ReceivedSpan leaf)
    {
        var byId = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        var chain = new List<ReceivedSpan> { leaf };
        while (byId.TryGetValue(chain[^1].ParentSpanId, out var parent) && chain.Count < 32)
        {
            chain.Add(parent);
        }

        return chain;
    }

    /// <summary>Sidecar spans carry meshnet.direction (server spans) or meshnet.retry.attempt (attempts); the apps' do not.</summary>
    private static string Role(ReceivedSpan span) =>
        span["meshnet.direction"] ?? (span["meshnet.retry.attempt"] is not null ? "attempt" : span.Kind == "server" ? "app-server" : "app-client");
}

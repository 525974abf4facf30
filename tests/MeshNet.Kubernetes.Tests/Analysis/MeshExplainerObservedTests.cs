using MeshNet.Kubernetes.Analysis;
using static MeshNet.Kubernetes.Tests.Analysis.AnalysisFixtures;

namespace MeshNet.Kubernetes.Tests.Analysis;

public sealed class MeshExplainerObservedTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 22, 10, 3, 250, TimeSpan.Zero);

    [Fact]
    public void AuthzDenied_SeenByBothSidecars_IsExplainedFromTheCallersUrl_OutboundFirst()
    {
        var inbound = Record("blog/posts-0", MeshExplainer.Inbound, 403, "authz-denied") with
        {
            Peer = "spiffe://cluster.local/ns/blog/sa/comments",
            Detail = "denied by policy blog/posts-deny-comments (caller spiffe://cluster.local/ns/blog/sa/comments)",
            At = At.AddMilliseconds(-2),
        };
        var outbound = Record("blog/comments-0", MeshExplainer.Outbound, 403, "authz-denied") with
        {
            Service = "blog/posts", Endpoint = "10.0.0.5:15006", EndpointWorkload = "blog/posts-0", Attempts = 1,
        };

        var result = MeshExplainer.ExplainObserved(Load(Blog), [inbound, outbound], []);

        Assert.Equal("403 authz-denied: AuthorizationPolicy blog/posts-deny-comments rule 0 (DENY) matches blog/comments", result.Summary);
        Assert.Equal(
            "outbound at blog/comments-0 2026-11-26T22:10:03.250Z: GET posts.blog/posts -> 403 authz-denied via Service blog/posts, 1 attempt, last to 10.0.0.5:15006 (blog/posts-0)",
            result.Steps[0].Detail);
        Assert.Equal(
            "inbound at blog/posts-0 2026-11-26T22:10:03.248Z: GET posts.blog/posts from spiffe://cluster.local/ns/blog/sa/comments -> 403 authz-denied; denied by policy blog/posts-deny-comments (caller spiffe://cluster.local/ns/blog/sa/comments)",
            result.Steps[1].Detail);
        Assert.Equal(["request", "request"], result.Steps.Take(2).Select(s => s.Stage));
        Assert.DoesNotContain(result.Steps, s => s.Stage == "sidecars");
        Assert.Equal([MeshExplainer.Outbound, MeshExplainer.Inbound], result.Requests!.Select(r => r.Direction));
    }

    [Fact]
    public void Overloaded_AtTheCaller_NamesTheCircuitBreaker()
    {
        var outbound = Record("blog/frontend-0", MeshExplainer.Outbound, 503, "overloaded") with { Service = "blog/posts" };

        var result = MeshExplainer.ExplainObserved(Load(Blog), [outbound], []);

        Assert.Equal("503 overloaded: TrafficPolicy blog/posts circuitBreaker.maxRequests=10", result.Summary);
        Assert.EndsWith("-> 503 overloaded via Service blog/posts, no attempt sent", result.Steps[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void InboundOnly_FindsTheServiceSelectingTheWorkload()
    {
        var inbound = Record("blog/posts-0", MeshExplainer.Inbound, 504, "upstream-timeout");

        var result = MeshExplainer.ExplainObserved(Load(Blog), [inbound], []);

        Assert.Equal("504 upstream-timeout: TrafficPolicy blog/posts timeouts.request=2s", result.Summary);
        Assert.Contains("from a plaintext caller", result.Steps[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void InboundOnly_ForAWorkloadNoServiceSelects_SaysSoWithTheSidecarsDetail()
    {
        var inbound = Record("blog/comments-0", MeshExplainer.Inbound, 400, "bad-path") with { Detail = "ambiguous path (EncodedSlash)" };

        var result = MeshExplainer.ExplainObserved(Load(Blog), [inbound], []);

        Assert.Equal("400 bad-path at blog/comments-0: ambiguous path (EncodedSlash)", result.Summary);
    }

    [Fact]
    public void AppFailure_SaysNoConfigObjectProducedIt_AndKeepsTheRoutingSteps()
    {
        var outbound = Record("blog/frontend-0", MeshExplainer.Outbound, 500, string.Empty) with
        {
            Service = "blog/posts", Endpoint = "10.0.0.5:15006", EndpointWorkload = "blog/posts-0", Attempts = 1,
        };

        var result = MeshExplainer.ExplainObserved(Load(Blog), [outbound], []);

        Assert.Equal("500 from the application blog/posts-0: the mesh passed the app's own response through; no MeshNet config object produced it", result.Summary);
        Assert.Contains(result.Steps, s => s.Stage == "service" && s.Source == "Service blog/posts");
    }

    [Fact]
    public void ClientGone_IsNoConfigObjectsDoing()
    {
        var outbound = Record("blog/frontend-0", MeshExplainer.Outbound, 0, string.Empty) with { Service = "blog/posts", Attempts = 1 };

        var result = MeshExplainer.ExplainObserved(Load(Blog), [outbound], []);

        Assert.StartsWith("no response: the client went away", result.Summary, StringComparison.Ordinal);
        Assert.Contains("-> no response (client gone)", result.Steps[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void SidecarsThatDidNotAnswer_AreNamedInAStep()
    {
        var outbound = Record("blog/frontend-0", MeshExplainer.Outbound, 503, "overloaded") with { Service = "blog/posts" };

        var result = MeshExplainer.ExplainObserved(Load(Blog), [outbound], [new SidecarSilence("blog/posts-0", "admin 10.0.0.5:15000 did not answer within 2s")]);

        var step = Assert.Single(result.Steps, s => s.Stage == "sidecars");
        Assert.Equal("did not answer, so their records (if any) are missing: blog/posts-0 (admin 10.0.0.5:15000 did not answer within 2s)", step.Detail);
        Assert.Same(result.Steps[^1], step);
    }

    private static ObservedRequest Record(string sidecar, string direction, int status, string error) => new(
        sidecar, direction, At, "GET", "posts.blog", "/posts", status, error, string.Empty, string.Empty, string.Empty, 0, null, "req-1", string.Empty, string.Empty);
}

using MeshNet.Kubernetes.Analysis;
using static MeshNet.Kubernetes.Tests.Analysis.AnalysisFixtures;

namespace MeshNet.Kubernetes.Tests.Analysis;

public sealed class MeshExplainerTests
{
    [Fact]
    public void Overloaded_NamesTheCircuitBreakerSetting()
    {
        var result = MeshExplainer.Explain(Load(Blog), new ExplainRequest("overloaded", "posts.blog", null, null));

        Assert.Equal("503 overloaded: TrafficPolicy blog/posts circuitBreaker.maxRequests=10", result.Summary);
    }

    [Fact]
    public void Timeout_NamesTheRequestTimeout()
    {
        var result = MeshExplainer.Explain(Load(Blog), new ExplainRequest("upstream-timeout", "posts.blog.svc.cluster.local", null, null));

        Assert.Equal("504 upstream-timeout: TrafficPolicy blog/posts timeouts.request=2s", result.Summary);
    }

    [Fact]
    public void NoRoute_ForAHostNoServiceAnswers()
    {
        var result = MeshExplainer.Explain(Load(Blog), new ExplainRequest(null, null, "blog/frontend-0", "http://nothing.blog/"));

        Assert.StartsWith("404 no-route", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void AuthzDenied_NamesTheDenyRule()
    {
        var result = MeshExplainer.Explain(Load(Blog), new ExplainRequest(null, null, "blog/comments-0", "http://posts/posts"));

        Assert.Equal("403 authz-denied: AuthorizationPolicy blog/posts-deny-comments rule 0 (DENY) matches blog/comments", result.Summary);
        Assert.Contains(result.Steps, s => s.Stage == "policy" && s.Source == "TrafficPolicy blog/posts");
    }

    [Fact]
    public void Allowed_WhenNoPolicyDenies()
    {
        var result = MeshExplainer.Explain(Load(Blog), new ExplainRequest(null, null, "blog/frontend-0", "http://posts.blog/posts"));

        Assert.StartsWith("allowed:", result.Summary, StringComparison.Ordinal);
        Assert.Contains(result.Steps, s => s.Stage == "endpoints" && s.Detail.StartsWith("1/1", StringComparison.Ordinal));
    }

    [Fact]
    public void NoHealthyEndpoints_WhenTheRoutedSubsetHasNoPod()
    {
        var result = MeshExplainer.Explain(Load(Blog + """
            ---
            apiVersion: meshnet.io/v1alpha1
            kind: TrafficRoute
            metadata: {name: posts, namespace: blog}
            spec:
              targetRef: {kind: Service, name: posts}
              rules:
                - backends:
                    - {subset: {version: v2}, weight: 100}
            """), new ExplainRequest(null, null, "blog/frontend-0", "http://posts.blog/"));

        Assert.StartsWith("503 no-healthy-endpoints: Service blog/posts selector app=posts matches no workload of subset version=v2", result.Summary, StringComparison.Ordinal);
        Assert.Contains(result.Steps, s => s.Stage == "route" && s.Source == "TrafficRoute blog/posts");
    }
}

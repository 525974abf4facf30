using System.Text.Json;
using MeshNet.Cli.Commands;

namespace MeshNet.Cli.Tests.Analysis;

/// <summary>
/// `meshctl analyze --live` and `meshctl explain` against a real control plane: /debug/analysis and /debug/explain
/// over the state it loaded from a manifest directory.
/// </summary>
public sealed class LiveAnalysisTests : IAsyncLifetime
{
    private const string Manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: blog}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: posts, namespace: blog}
        spec:
          selector: {app: posts}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: users, namespace: blog}
        spec:
          selector: {app: users}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: users-0, namespace: blog, labels: {app: users}}
        spec:
          containers: [{name: app, image: blog-app}]
        status:
          podIP: 10.0.0.7
          conditions: [{type: Ready, status: "True"}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: posts-0, namespace: blog, labels: {app: posts}}
        spec:
          containers: [{name: app, image: blog-app}]
        status:
          podIP: 10.0.0.5
          conditions: [{type: Ready, status: "False"}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: comments-0, namespace: blog, labels: {app: comments}}
        spec:
          serviceAccountName: comments
          containers: [{name: app, image: blog-app}]
        ---
        apiVersion: meshnet.io/v1alpha1
        kind: TrafficPolicy
        metadata: {name: posts, namespace: blog}
        spec:
          targetRef: {kind: Service, name: posts}
          timeouts: {request: 2s}
          circuitBreaker: {maxRequests: 10}
        ---
        apiVersion: meshnet.io/v1alpha1
        kind: AuthorizationPolicy
        metadata: {name: users-deny-comments, namespace: blog}
        spec:
          targetRef: {kind: Service, name: users}
          action: Deny
          rules:
            - from:
                - serviceAccounts: [blog/comments]
        ---
        apiVersion: meshnet.io/v1alpha1
        kind: TrafficRoute
        metadata: {name: ghost, namespace: blog}
        spec:
          targetRef: {kind: Service, name: ghost}
          rules:
            - backends: [{weight: 1}]

        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("meshnet-analyze-").FullName;
    private LiveControlPlane? _controlPlane;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "mesh.yaml"), Manifests);
        _controlPlane = await LiveControlPlane.StartAsync(_directory);
    }

    public async Task DisposeAsync()
    {
        if (_controlPlane is not null)
        {
            await _controlPlane.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AnalyzeLive_ReportsUnreadyEndpointsAndMissingTargets_AndExitsOne()
    {
        using var http = NewClient();
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };

        var code = await new AnalyzeCommand(stdout, stderr).RunLiveAsync(http, _controlPlane!.Admin, json: true, CancellationToken.None);

        Assert.Equal(string.Empty, stderr.ToString());
        Assert.Equal(ExitCodes.Failed, code);
        using var document = JsonDocument.Parse(stdout.ToString());
        var findings = document.RootElement.EnumerateArray()
            .Select(f => (f.GetProperty("code").GetString(), f.GetProperty("severity").GetString(), f.GetProperty("resource").GetString()))
            .ToList();
        // The control plane itself rejects a route to a missing Service; analyze reports its error as a finding.
        Assert.Contains(findings, f => f.Item3 == "TrafficRoute blog/ghost" && f.Item2 == "error");
        Assert.Contains(("MN1107", "warning", "Service blog/posts"), findings);
        Assert.DoesNotContain(findings, f => f.Item3 == "Service blog/users");
    }

    [Theory]
    [InlineData("--error", "overloaded", "posts.blog", "503 overloaded: TrafficPolicy blog/posts circuitBreaker.maxRequests=10")]
    [InlineData("--error", "upstream-timeout", "posts.blog", "504 upstream-timeout: TrafficPolicy blog/posts timeouts.request=2s")]
    [InlineData("--url", "blog/comments-0", "http://nowhere.blog/", "404 no-route: no Service for host nowhere.blog")]
    [InlineData("--url", "blog/comments-0", "http://users.blog/x", "403 authz-denied: AuthorizationPolicy blog/users-deny-comments rule 0 (DENY) matches blog/comments")]
    [InlineData("--url", "blog/comments-0", "http://posts.blog/x", "503 no-healthy-endpoints: all 1 workload(s) of Service blog/posts are not ready (readiness probe)")]
    public async Task Explain_NamesTheConfigObjectBehindTheOutcome(string mode, string first, string second, string summary)
    {
        var query = mode == "--error"
            ? new ExplainQuery(first, second, null, null, "GET")
            : new ExplainQuery(null, null, first, second, "GET");
        using var http = NewClient();
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };

        var code = await new ExplainCommand(http, _controlPlane!.Admin, stdout, stderr).RunAsync(query, json: false, CancellationToken.None);

        Assert.Equal(string.Empty, stderr.ToString());
        Assert.Equal(ExplainCommand.ExitOk, code);
        Assert.Equal(summary, stdout.ToString().Split('\n')[0]);
    }

    private static HttpClient NewClient() => new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
}

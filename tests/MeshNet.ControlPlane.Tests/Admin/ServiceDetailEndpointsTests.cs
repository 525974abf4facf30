using System.Net;
using System.Text.Json;

namespace MeshNet.ControlPlane.Tests.Admin;

/// <summary>/debug/services/{ns}/{name} and /debug/workloads from a real control plane on a manifest directory.</summary>
public sealed class ServiceDetailEndpointsTests : IAsyncLifetime
{
    private ManifestControlPlane _mesh = null!;
    private HttpClient _admin = null!;

    private static string Pod(string name, string ip, bool ready) => $$$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{{name}}}, namespace: blog, labels: {app: posts}}
        spec:
          serviceAccountName: posts
          containers: [{name: app, image: blog-app, ports: [{containerPort: 8080, name: http}]}]
        status:
          podIP: {{{ip}}}
          conditions: [{type: Ready, status: "{{{(ready ? "True" : "False")}}}"}]
        """;

    public async Task InitializeAsync()
    {
        _mesh = await ManifestControlPlane.StartAsync(
            "mnt-describe",
            ("blog.yaml", string.Join("\n---\n",
                """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: blog
                  annotations: {meshnet.io/default-policy: deny, meshnet.io/mtls: strict}
                """,
                """
                apiVersion: v1
                kind: Service
                metadata: {name: posts, namespace: blog}
                spec:
                  selector: {app: posts}
                  ports: [{name: http, port: 80, targetPort: http}]
                """,
                Pod("posts-1", "127.0.1.11", ready: true),
                Pod("posts-2", "127.0.1.12", ready: false),
                """
                apiVersion: meshnet.io/v1alpha1
                kind: TrafficPolicy
                metadata: {name: posts, namespace: blog}
                spec:
                  targetRef: {kind: Service, name: posts}
                  timeouts: {request: 2s}
                """,
                """
                apiVersion: meshnet.io/v1alpha1
                kind: AuthorizationPolicy
                metadata: {name: posts-readers, namespace: blog}
                spec:
                  targetRef: {kind: Service, name: posts}
                  rules:
                  - from: [{serviceAccounts: [blog/frontend]}]
                    to: [{methods: [GET], paths: [/posts/*]}]
                """)));
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_mesh.App.AdminEndPoint}") };
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _mesh.DisposeAsync();
    }

    [Fact]
    public async Task Describes_Endpoints_Policies_Mtls_AndAuthorization()
    {
        using var json = JsonDocument.Parse(await _admin.GetStringAsync(new Uri("/debug/services/blog/posts", UriKind.Relative)));
        var root = json.RootElement;

        Assert.Equal("posts", root.GetProperty("name").GetString());
        Assert.Equal("posts", root.GetProperty("selector").GetProperty("app").GetString());
        var endpoints = root.GetProperty("endpoints").EnumerateArray()
            .Select(e => (e.GetProperty("workload").GetString(), e.GetProperty("ready").GetBoolean(), e.GetProperty("reason").GetString(), e.GetProperty("targetPort").GetInt32()))
            .OrderBy(e => e.Item1, StringComparer.Ordinal)
            .ToList();
        Assert.Equal([("blog/posts-1", true, null, 8080), ("blog/posts-2", false, "pod not ready", 8080)], endpoints);

        var policy = root.GetProperty("policies").EnumerateArray().Single();
        Assert.Equal(("posts", true), (policy.GetProperty("name").GetString(), policy.GetProperty("accepted").GetBoolean()));
        Assert.Empty(root.GetProperty("routes").EnumerateArray());
        Assert.Equal("STRICT", root.GetProperty("mtls").GetString());

        var authorization = root.GetProperty("authorization");
        Assert.True(authorization.GetProperty("defaultDeny").GetBoolean());
        var authz = authorization.GetProperty("policies").EnumerateArray().Single();
        Assert.Equal(("posts-readers", "ALLOW"), (authz.GetProperty("name").GetString(), authz.GetProperty("action").GetString()));
        var rule = authz.GetProperty("rules").EnumerateArray().Single();
        Assert.Equal("blog/frontend", rule.GetProperty("principals").EnumerateArray().Single().GetString());
        Assert.Equal("GET", rule.GetProperty("methods").EnumerateArray().Single().GetString());
        Assert.Equal("/posts/*", rule.GetProperty("paths").EnumerateArray().Single().GetString());
    }

    [Fact]
    public async Task Returns_NotFound_ForAnUnknownService()
    {
        using var response = await _admin.GetAsync(new Uri("/debug/services/blog/nope", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("services \"nope\" not found in namespace blog", body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Lists_Workloads_FilteredByNamespace()
    {
        using var json = JsonDocument.Parse(await _admin.GetStringAsync(new Uri("/debug/workloads?namespace=blog", UriKind.Relative)));
        var workloads = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["posts-1", "posts-2"], workloads.Select(w => w.GetProperty("name").GetString()));
        Assert.Equal([true, false], workloads.Select(w => w.GetProperty("ready").GetBoolean()));
        Assert.Equal("Pod", workloads[0].GetProperty("kind").GetString());
        Assert.Equal("127.0.1.11", workloads[0].GetProperty("address").GetString());
        Assert.Equal("posts", workloads[0].GetProperty("serviceAccount").GetString());
        Assert.False(workloads[0].GetProperty("meshed").GetBoolean());
        Assert.Equal("posts", workloads[0].GetProperty("labels").GetProperty("app").GetString());

        using var other = JsonDocument.Parse(await _admin.GetStringAsync(new Uri("/debug/workloads?namespace=shop", UriKind.Relative)));
        Assert.Empty(other.RootElement.EnumerateArray());
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.ControlPlane.Hosting;
using MeshNet.Model;
using Microsoft.Extensions.Logging;
using static MeshNet.ControlPlane.Tests.Traffic.TrafficResources;

namespace MeshNet.ControlPlane.Tests.Traffic;

/// <summary>The real composition root: traffic resources through the tracker and pipeline, reported on the admin API.</summary>
public sealed class TrafficAdminTests : IAsyncLifetime
{
    private ControlPlaneApp _app = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        var options = ControlPlaneOptions.Parse(["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0"]);
        _app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders(), runUpdateLoop: false);
        await _app.StartAsync(CancellationToken.None);
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task<List<JsonElement>> PoliciesAsync() =>
        [.. (await _admin.GetFromJsonAsync<JsonElement>("/debug/policies")).EnumerateArray()];

    [Fact]
    public async Task Lists_Policies_WithTheirTargetStatusAndClusters()
    {
        foreach (var resource in Canary(
            Policy("posts-policy"),
            Route("posts-canary", "posts", Always(Subset("version=v1", 90), Subset("version=v2", 10))),
            Policy("ratings-policy", "ratings", port: 80)))
        {
            _app.Tracker.Upsert(resource);
        }

        _app.Pipeline.Flush();
        var policies = await PoliciesAsync();

        Assert.Equal(
            [("TrafficPolicy", "posts-policy"), ("TrafficPolicy", "ratings-policy"), ("TrafficRoute", "posts-canary")],
            policies.Select(p => (p.GetProperty("kind").GetString(), p.GetProperty("name").GetString())));
        var policy = policies[0];
        Assert.Equal(("blog", "posts", true, JsonValueKind.Null), (
            policy.GetProperty("namespace").GetString(), policy.GetProperty("target").GetString(),
            policy.GetProperty("accepted").GetBoolean(), policy.GetProperty("error").ValueKind));
        Assert.Equal(
            ["outbound|80|version=v1|posts.blog.svc.cluster.local", "outbound|80|version=v2|posts.blog.svc.cluster.local", "outbound|80||posts.blog.svc.cluster.local"],
            policy.GetProperty("clusters").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(
            ["outbound|80|version=v1|posts.blog.svc.cluster.local", "outbound|80|version=v2|posts.blog.svc.cluster.local"],
            policies[2].GetProperty("clusters").EnumerateArray().Select(c => c.GetString()));
        var rejected = policies[1];
        Assert.Equal(("ratings:80", false, "spec.targetRef.name: Service blog/ratings does not exist", 0), (
            rejected.GetProperty("target").GetString(), rejected.GetProperty("accepted").GetBoolean(),
            rejected.GetProperty("error").GetString(), rejected.GetProperty("clusters").GetArrayLength()));
    }

    [Fact]
    public async Task Reports_Rejections_InDebugErrors_AndClearsThemWhenFixed()
    {
        var route = Route("posts-canary", "posts", Always(Subset("version=v1", 90), Subset("version=v3", 10)));
        foreach (var resource in Canary(route))
        {
            _app.Tracker.Upsert(resource);
        }

        _app.Pipeline.Flush();
        var errors = (await _admin.GetFromJsonAsync<JsonElement>("/debug/errors")).EnumerateArray().ToList();

        var error = Assert.Single(errors);
        Assert.Equal(
            ("control-plane: traffic policy", "TrafficRoute blog/posts-canary", "spec.rules[0].backends[1].subset"),
            (error.GetProperty("origin").GetString(), error.GetProperty("resource").GetString(), error.GetProperty("field").GetString()));

        _app.Tracker.Delete(new ResourceKey(ResourceKinds.TrafficRoute, "blog", "posts-canary"));
        _app.Pipeline.Flush();
        Assert.Empty((await _admin.GetFromJsonAsync<JsonElement>("/debug/errors")).EnumerateArray());
        Assert.Empty(await PoliciesAsync());
    }
}

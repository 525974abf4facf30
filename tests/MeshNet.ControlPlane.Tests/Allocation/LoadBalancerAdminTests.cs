using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.ControlPlane.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests.Allocation;

/// <summary>The real composition root: --load-balancer-cidr reaches the allocator, /debug/services reports the address.</summary>
public sealed class LoadBalancerAdminTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mnt-lbadmin-" + Guid.NewGuid().ToString("N")[..8]);
    private ControlPlaneApp _app = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        var manifests = Directory.CreateDirectory(Path.Combine(_root, "manifests")).FullName;
        await File.WriteAllTextAsync(Path.Combine(manifests, "web.yaml"), """
            apiVersion: v1
            kind: Service
            metadata: {name: frontend, namespace: blog}
            spec:
              type: LoadBalancer
              selector: {app: frontend}
              ports: [{name: http, port: 80, targetPort: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: posts, namespace: blog}
            spec:
              selector: {app: posts}
              ports: [{name: http, port: 80, targetPort: 8080}]
            """);
        var options = ControlPlaneOptions.Parse([
            "--config", manifests, "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--debounce-quiet", "1ms", "--debounce-max", "20ms",
            "--load-balancer-cidr", "127.0.200.0/24", "--state-dir", Path.Combine(_root, "state")]);
        _app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await _app.StartAsync(CancellationToken.None);
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Reports_TheAllocatedIngress_OfALoadBalancerService()
    {
        var services = (await _admin.GetFromJsonAsync<JsonElement>("/debug/services")).EnumerateArray().ToList();

        var frontend = services.Single(s => s.GetProperty("name").GetString() == "frontend");
        Assert.Equal("LoadBalancer", frontend.GetProperty("type").GetString());
        Assert.Equal(["127.0.200.1"], frontend.GetProperty("loadBalancerIngress").EnumerateArray().Select(e => e.GetString()));
        Assert.InRange(frontend.GetProperty("ports")[0].GetProperty("nodePort").GetInt32(), 30000, 32767);
        var posts = services.Single(s => s.GetProperty("name").GetString() == "posts");
        Assert.Equal(0, posts.GetProperty("loadBalancerIngress").GetArrayLength());
    }
}

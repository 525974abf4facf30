// meshnet-control's real composition root started with --kubernetes --kubeconfig against ApiServerDouble, a test
// double of the Kubernetes API server (no API server can run on this machine; see ApiServerDouble.cs), serving
// Services whose addresses a k3s API server (service range 10.43.0.0/16) and a cloud controller assigned.
using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.ControlPlane.Allocation;
using MeshNet.ControlPlane.Hosting;
using MeshNet.Kubernetes.Tests.Api;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests.Kubernetes;

public sealed class KubernetesModeAddressTests : IAsyncLifetime
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("meshnet-k8s-addr-");
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));
    private ApiServerDouble _server = null!;
    private ControlPlaneApp _app = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServerDouble.StartAsync();
        _server.Apply(ApiObjects.Namespace("blog"));
        _server.Apply(ApiObjects.Service("blog", "posts", "10.43.0.20"));
        _server.Apply(FrontendLoadBalancer(name: "frontend", clusterIp: "10.43.0.30", nodePort: 31555, ingress: "198.51.100.7"));
        // The universal-mode allocator flags are accepted and ignored: a range or pool here must change nothing.
        var options = ControlPlaneOptions.Parse(
        [
            "--kubernetes", "--kubeconfig", _server.WriteKubeconfig(_state.FullName),
            "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--state-dir", _state.FullName,
            "--debounce-quiet", "1ms", "--debounce-max", "20ms",
            "--service-cidr", "10.96.0.0/16", "--load-balancer-cidr", "127.0.200.0/24", "--node-port-range", "30000-30100",
        ]);
        _app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await _app.StartAsync(_deadline.Token);
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        await _server.DisposeAsync();
        _deadline.Dispose();
        _state.Delete(recursive: true);
    }

    [Fact]
    public async Task ServicesOutsideTheDefaultRange_AreServedWithTheApiServersAddresses()
    {
        var services = await ServicesAsync();

        var posts = services.Single(s => s.GetProperty("name").GetString() == "posts");
        Assert.Equal(["10.43.0.20"], Strings(posts.GetProperty("clusterIPs")));
        var frontend = services.Single(s => s.GetProperty("name").GetString() == "frontend");
        Assert.Equal(["10.43.0.30"], Strings(frontend.GetProperty("clusterIPs")));
        Assert.Equal(31555, frontend.GetProperty("ports")[0].GetProperty("nodePort").GetInt32());
        Assert.Equal(["198.51.100.7"], Strings(frontend.GetProperty("loadBalancerIngress")));
        Assert.DoesNotContain(await ErrorsAsync(), e => e.GetProperty("origin").GetString() == ServiceAdmissionOrigin.Value);
    }

    [Fact]
    public async Task NoAllocationState_IsWritten()
    {
        await ServicesAsync();

        Assert.False(File.Exists(Path.Combine(_state.FullName, AllocationStateStore.FileName)));
    }

    [Fact]
    public async Task ALoadBalancerWithoutIngress_GetsNoAddressFromThePool()
    {
        _server.Apply(FrontendLoadBalancer(name: "pending", clusterIp: "10.43.0.40", nodePort: 31556, ingress: null));

        var pending = await ServiceAsync("pending");

        Assert.Equal(0, pending.GetProperty("loadBalancerIngress").GetArrayLength());
        Assert.DoesNotContain(await ErrorsAsync(), e => e.GetProperty("origin").GetString() == ServiceAdmissionOrigin.Value);
    }

    [Fact]
    public async Task ASecondServiceWithTheSameClusterIp_DoesNotThrowTheFirstOut()
    {
        // What a watch shows between a Service's re-creation under a new name and the old one's deletion event.
        _server.Apply(ApiObjects.Service("blog", "posts-next", "10.43.0.20"));

        var next = await ServiceAsync("posts-next");

        Assert.Equal(["10.43.0.20"], Strings(next.GetProperty("clusterIPs")));
        Assert.Contains(await ServicesAsync(), s => s.GetProperty("name").GetString() == "posts");
        Assert.DoesNotContain(await ErrorsAsync(), e => e.GetProperty("origin").GetString() == ServiceAdmissionOrigin.Value);
    }

    private async Task<List<JsonElement>> ServicesAsync() =>
        [.. (await _admin.GetFromJsonAsync<JsonElement>("/debug/services", _deadline.Token)).EnumerateArray().Where(s => s.GetProperty("namespace").GetString() == "blog")];

    private async Task<List<JsonElement>> ErrorsAsync() =>
        [.. (await _admin.GetFromJsonAsync<JsonElement>("/debug/errors", _deadline.Token)).EnumerateArray()];

    /// <summary>End-to-end through the watch and the debounced update loop: poll with a deadline.</summary>
    private async Task<JsonElement> ServiceAsync(string name)
    {
        while (true)
        {
            if ((await ServicesAsync()).FirstOrDefault(s => s.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            await Task.Delay(20, _deadline.Token);
        }
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>A LoadBalancer Service as the API server returns it once assigned: cluster IP, node port, and (maybe) the cloud's ingress.</summary>
    private static string FrontendLoadBalancer(string name, string clusterIp, int nodePort, string? ingress)
    {
        var status = ingress is null ? "{}" : "{\"ingress\": [{\"ip\": \"" + ingress + "\", \"ipMode\": \"VIP\"}]}";
        return $$"""
        {
          "apiVersion": "v1",
          "kind": "Service",
          "metadata": {"name": "{{name}}", "namespace": "blog", "labels": {"app": "frontend"} },
          "spec": {
            "type": "LoadBalancer",
            "clusterIP": "{{clusterIp}}",
            "clusterIPs": ["{{clusterIp}}"],
            "externalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080, "nodePort": {{nodePort}} }],
            "selector": {"app": "frontend"},
            "sessionAffinity": "None"
          },
          "status": {"loadBalancer": {{status}} }
        }
        """;
    }
}

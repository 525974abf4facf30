// meshnet-control's real composition root in Kubernetes mode against a test double of the API server
// (KubernetesModeHost; no API server can run on this machine), serving Services whose addresses a k3s API server
// (service range 10.43.0.0/16) and a cloud controller assigned.
using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.ControlPlane.Allocation;
using MeshNet.Kubernetes.Tests.Api;

namespace MeshNet.ControlPlane.Tests.Kubernetes;

public sealed class KubernetesModeAddressTests : IAsyncLifetime
{
    private KubernetesModeHost _host = null!;

    public async Task InitializeAsync()
    {
        // The universal-mode allocator flags are accepted and ignored: a range or pool here must change nothing.
        _host = await KubernetesModeHost.StartAsync(
            server =>
            {
                server.Apply(ApiObjects.Namespace("blog"));
                server.Apply(ApiObjects.Service("blog", "posts", "10.43.0.20"));
                server.Apply(FrontendLoadBalancer(name: "frontend", clusterIp: "10.43.0.30", nodePort: 31555, ingress: "198.51.100.7"));
            },
            "--service-cidr", "10.96.0.0/16", "--load-balancer-cidr", "127.0.200.0/24", "--node-port-range", "30000-30100");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

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

        Assert.False(File.Exists(Path.Combine(_host.State.FullName, AllocationStateStore.FileName)));
    }

    [Fact]
    public async Task ALoadBalancerWithoutIngress_GetsNoAddressFromThePool()
    {
        _host.Server.Apply(FrontendLoadBalancer(name: "pending", clusterIp: "10.43.0.40", nodePort: 31556, ingress: null));

        var pending = await ServiceAsync("pending");

        Assert.Equal(0, pending.GetProperty("loadBalancerIngress").GetArrayLength());
        Assert.DoesNotContain(await ErrorsAsync(), e => e.GetProperty("origin").GetString() == ServiceAdmissionOrigin.Value);
    }

    [Fact]
    public async Task ASecondServiceWithTheSameClusterIp_DoesNotThrowTheFirstOut()
    {
        // What a watch shows between a Service's re-creation under a new name and the old one's deletion event.
        _host.Server.Apply(ApiObjects.Service("blog", "posts-next", "10.43.0.20"));

        var next = await ServiceAsync("posts-next");

        Assert.Equal(["10.43.0.20"], Strings(next.GetProperty("clusterIPs")));
        Assert.Contains(await ServicesAsync(), s => s.GetProperty("name").GetString() == "posts");
        Assert.DoesNotContain(await ErrorsAsync(), e => e.GetProperty("origin").GetString() == ServiceAdmissionOrigin.Value);
    }

    private async Task<List<JsonElement>> ServicesAsync() =>
        [.. (await _host.Admin.GetFromJsonAsync<JsonElement>("/debug/services", _host.Deadline)).EnumerateArray().Where(s => s.GetProperty("namespace").GetString() == "blog")];

    private async Task<List<JsonElement>> ErrorsAsync() =>
        [.. (await _host.Admin.GetFromJsonAsync<JsonElement>("/debug/errors", _host.Deadline)).EnumerateArray()];

    /// <summary>End-to-end through the watch and the debounced update loop: poll with a deadline.</summary>
    private async Task<JsonElement> ServiceAsync(string name)
    {
        while (true)
        {
            if ((await ServicesAsync()).FirstOrDefault(s => s.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            await Task.Delay(20, _host.Deadline);
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

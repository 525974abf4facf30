using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using MeshNet.ControlPlane.Hosting;
using MeshNet.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests.Traffic;

/// <summary>
/// TrafficPolicy and TrafficRoute manifests through the real manifest source, tracker, debounce and discovery stream:
/// a sidecar receives the policy and the split, and an edit to the weights reaches it as a virtual-host-only delta.
/// </summary>
public sealed class TrafficManifestTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mnt-traffic-" + Guid.NewGuid().ToString("N")[..8]);
    private ControlPlaneApp _app = null!;

    private static string Pod(string name, string version, string ip) => $$$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{{name}}}, namespace: blog, labels: {app: posts, version: {{{version}}}}}
        spec: {containers: [{name: app, image: blog-app, ports: [{name: http, containerPort: 8080}]}]}
        status: {podIP: {{{ip}}}, conditions: [{type: Ready, status: "True"}]}
        """;

    private static string Route(int v1, int v2) => $$$"""
        apiVersion: meshnet.io/v1alpha1
        kind: TrafficRoute
        metadata: {name: posts-canary, namespace: blog}
        spec:
          targetRef: {kind: Service, name: posts}
          rules:
          - matches: [{headers: [{name: x-canary, value: "true"}]}]
            backends: [{subset: {version: v2}, weight: 100}]
          - backends: [{subset: {version: v1}, weight: {{{v1}}}}, {subset: {version: v2}, weight: {{{v2}}}}]
        """;

    public async Task InitializeAsync()
    {
        var manifests = Directory.CreateDirectory(Path.Combine(_root, "manifests")).FullName;
        await File.WriteAllTextAsync(Path.Combine(manifests, "posts.yaml"), string.Join("\n---\n",
            """
            apiVersion: v1
            kind: Service
            metadata: {name: posts, namespace: blog}
            spec:
              selector: {app: posts}
              ports: [{name: http, port: 80, targetPort: http}]
            """,
            Pod("posts-v1-1", "v1", "127.0.1.11"),
            Pod("posts-v2-1", "v2", "127.0.1.12"),
            """
            apiVersion: meshnet.io/v1alpha1
            kind: TrafficPolicy
            metadata: {name: posts, namespace: blog}
            spec:
              targetRef: {kind: Service, name: posts}
              loadBalancer: {type: RoundRobin}
              timeouts: {request: 2s}
              retries: {attempts: 3, on: [gateway-error]}
            """));
        await File.WriteAllTextAsync(Path.Combine(manifests, "route.yaml"), Route(90, 10));
        var options = ControlPlaneOptions.Parse(
            ["--config", manifests, "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--debounce-quiet", "1ms", "--debounce-max", "20ms"]);
        _app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await _app.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Streams_ThePolicyAndTheSplit_AndAWeightEditAsAVirtualHostDelta()
    {
        using var channel = GrpcChannel.ForAddress($"http://{_app.GrpcEndPoint}");
        using var call = new Protocol.V1.Discovery.DiscoveryClient(channel).Stream();
        using var deadline = new CancellationTokenSource(Deadline);
        await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = DiscoveryHarness.Node("frontend-1", "app=frontend", "127.0.1.2") });
        Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
        var full = call.ResponseStream.Current;

        var host = full.VirtualHosts.Single(h => h.Name == "posts.blog.svc.cluster.local:80");
        Assert.Equal(["rule-0", "rule-1"], host.Routes.Select(r => r.Name));
        Assert.Equal([90u, 10u], host.Routes[1].Clusters.Select(c => c.Weight));
        var v2 = full.Clusters.Single(c => c.Name == "outbound|80|version=v2|posts.blog.svc.cluster.local");
        Assert.Equal(("blog/posts", LoadBalancer.Types.Type.RoundRobin, 3u), (v2.Policy, v2.LoadBalancer.Type, v2.Retries.Attempts));
        Assert.Equal("127.0.1.12", v2.Endpoints.Single().Address);

        await File.WriteAllTextAsync(Path.Combine(_root, "manifests", "route.yaml"), Route(50, 50), deadline.Token);
        var response = full;
        do
        {
            await call.RequestStream.WriteAsync(new DiscoveryRequest { VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce }, deadline.Token);
            Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
            response = call.ResponseStream.Current;
            Assert.Empty(response.Clusters);
            Assert.Empty(response.RemovedClusters);
        }
        while (response.VirtualHosts.Count == 0);

        Assert.Equal([50u, 50u], response.VirtualHosts.Single().Routes[1].Clusters.Select(c => c.Weight));
        using var admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };
        var policies = (await admin.GetFromJsonAsync<JsonElement>("/debug/policies", deadline.Token)).EnumerateArray().ToList();
        Assert.Equal([true, true], policies.Select(p => p.GetProperty("accepted").GetBoolean()));
    }
}

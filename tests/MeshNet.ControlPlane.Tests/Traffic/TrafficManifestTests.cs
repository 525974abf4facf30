using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Tests.Traffic;

/// <summary>
/// TrafficPolicy and TrafficRoute manifests through the real manifest source, tracker, debounce and discovery stream:
/// a sidecar receives the policy and the split, and an edit to the weights reaches it as a virtual-host-only delta.
/// </summary>
public sealed class TrafficManifestTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private ManifestControlPlane _mesh = null!;

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

    public async Task InitializeAsync() => _mesh = await ManifestControlPlane.StartAsync(
        "mnt-traffic",
        ("posts.yaml", string.Join("\n---\n",
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
            """)),
        ("route.yaml", Route(90, 10)));

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    [Fact]
    public async Task Streams_ThePolicyAndTheSplit_AndAWeightEditAsAVirtualHostDelta()
    {
        using var channel = GrpcChannel.ForAddress($"http://{_mesh.App.GrpcEndPoint}");
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

        await _mesh.WriteAsync("route.yaml", Route(50, 50), deadline.Token);
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
        using var admin = new HttpClient { BaseAddress = new Uri($"http://{_mesh.App.AdminEndPoint}") };
        var policies = (await admin.GetFromJsonAsync<JsonElement>("/debug/policies", deadline.Token)).EnumerateArray().ToList();
        Assert.Equal([true, true], policies.Select(p => p.GetProperty("accepted").GetBoolean()));
    }
}

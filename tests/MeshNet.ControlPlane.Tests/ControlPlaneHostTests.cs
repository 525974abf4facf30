using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Grpc.Net.Client;
using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using MeshNet.Protocol.V1;
using Microsoft.Extensions.Logging;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests;

/// <summary>The real composition root in process: manifest directory, update loop, gRPC and admin listeners on port 0.</summary>
public sealed class ControlPlaneHostTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private ControlPlaneApp _app = null!;
    private HttpClient _admin = null!;

    public static string ManifestDirectory([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "testdata", "manifests");

    public async Task InitializeAsync()
    {
        var options = ControlPlaneOptions.Parse(
            ["--config", ManifestDirectory(), "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--debounce-quiet", "1ms", "--debounce-max", "20ms"]);
        _app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await _app.StartAsync(CancellationToken.None);
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Streams_ManifestAndRuntimeResources_ToASidecar()
    {
        using var channel = GrpcChannel.ForAddress($"http://{_app.GrpcEndPoint}");
        using var call = new Protocol.V1.Discovery.DiscoveryClient(channel).Stream();
        using var deadline = new CancellationTokenSource(Deadline);
        await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = DiscoveryHarness.Node("frontend-1", "app=frontend", "127.0.1.2") });

        Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
        var full = call.ResponseStream.Current;
        var posts = full.Clusters.Single(c => c.Name == "outbound|80||posts.blog.svc.cluster.local");
        Assert.Equal(("127.0.1.9", 8080u, false), (posts.Endpoints.Single().Address, posts.Endpoints.Single().Port, posts.Endpoints.Single().Meshed));

        _app.Tracker.Upsert(Service("blog", "users", "app=users"));
        _app.Tracker.Upsert(Sidecar("blog", "users-1", "app=users", "127.0.1.3"));
        var response = full;
        while (!response.Clusters.Any(c => c.Name == "outbound|80||users.blog.svc.cluster.local" && c.Endpoints.Count == 1))
        {
            await call.RequestStream.WriteAsync(new DiscoveryRequest { VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce });
            Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
            response = call.ResponseStream.Current;
        }

        Assert.Contains(response.VirtualHosts, h => h.Domains.Contains("users:80"));
        var endpoint = response.Clusters.Single(c => c.Service == "blog/users").Endpoints.Single();
        Assert.Equal(("127.0.1.3", 15006u, 8080u, true), (endpoint.Address, endpoint.Port, endpoint.TargetPort, endpoint.Meshed));
    }

    [Fact]
    public async Task Streams_TheAllocatedClusterIP_InVirtualHostsAndDns()
    {
        using var channel = GrpcChannel.ForAddress($"http://{_app.GrpcEndPoint}");
        using var call = new Protocol.V1.Discovery.DiscoveryClient(channel).Stream();
        using var deadline = new CancellationTokenSource(Deadline);
        await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = DiscoveryHarness.Node("frontend-1", "app=frontend", "127.0.1.2") });

        Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
        var full = call.ResponseStream.Current;

        var dns = full.DnsServices.Single(s => s.Key == "blog/posts");
        var ip = Assert.Single(dns.ClusterIps);
        Assert.StartsWith("10.96.", ip, StringComparison.Ordinal);
        Assert.Contains($"{ip}:80", full.VirtualHosts.Single(h => h.Name == "posts.blog.svc.cluster.local:80").Domains);
        Assert.Equal("cluster.local", full.DnsZone.Zone);
        Assert.Contains("blog", full.DnsZone.Namespaces);

        _app.Tracker.Upsert(Service("blog", "users", "app=users"));
        var response = full;
        while (!response.DnsServices.Any(s => s.Key == "blog/users"))
        {
            await call.RequestStream.WriteAsync(new DiscoveryRequest { VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce });
            Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
            response = call.ResponseStream.Current;
            Assert.False(response.FullState);
        }

        Assert.NotEqual(ip, response.DnsServices.Single(s => s.Key == "blog/users").ClusterIps.Single());
    }

    [Fact]
    public async Task Answers_HealthAndReadiness()
    {
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Lists_ServicesWithEveryEndpoint()
    {
        var services = await _admin.GetFromJsonAsync<JsonElement>("/debug/services");

        var posts = services.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "posts");
        Assert.Equal("blog", posts.GetProperty("namespace").GetString());
        Assert.Equal("ClusterIP", posts.GetProperty("type").GetString());
        Assert.StartsWith("10.96.", Assert.Single(posts.GetProperty("clusterIPs").EnumerateArray()).GetString(), StringComparison.Ordinal);
        Assert.Equal(0, posts.GetProperty("loadBalancerIngress").GetArrayLength());
        var port = posts.GetProperty("ports").EnumerateArray().Single();
        Assert.Equal(("http", 80, 8080, "TCP"), (port.GetProperty("name").GetString(), port.GetProperty("port").GetInt32(), port.GetProperty("targetPort").GetInt32(), port.GetProperty("protocol").GetString()));
        var endpoint = posts.GetProperty("endpoints").EnumerateArray().Single();
        Assert.Equal(
            (80, "blog/posts-1", "127.0.1.9", 8080, true, false),
            (endpoint.GetProperty("port").GetInt32(), endpoint.GetProperty("workload").GetString(), endpoint.GetProperty("address").GetString(),
             endpoint.GetProperty("targetPort").GetInt32(), endpoint.GetProperty("ready").GetBoolean(), endpoint.GetProperty("meshed").GetBoolean()));
    }

    [Fact]
    public async Task Lists_ManifestErrors_WithTheirLocation()
    {
        var errors = await _admin.GetFromJsonAsync<JsonElement>("/debug/errors");

        var error = errors.EnumerateArray().Single();
        Assert.Equal("blog.yaml", error.GetProperty("origin").GetString());
        Assert.Equal(2, error.GetProperty("documentIndex").GetInt32());
        Assert.Equal("Service blog/broken", error.GetProperty("resource").GetString());
        Assert.Equal("spec.ports[0].port", error.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Lists_ConnectedProxies()
    {
        using var channel = GrpcChannel.ForAddress($"http://{_app.GrpcEndPoint}");
        using var call = new Protocol.V1.Discovery.DiscoveryClient(channel).Stream();
        using var deadline = new CancellationTokenSource(Deadline);
        await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = DiscoveryHarness.Node("tools-1", "app=tools") });
        Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
        var full = call.ResponseStream.Current;
        await call.RequestStream.WriteAsync(new DiscoveryRequest { VersionInfo = full.VersionInfo, ResponseNonce = full.Nonce });

        // The ACK is processed asynchronously by the server; poll the read-only view with a deadline.
        JsonElement proxy;
        do
        {
            var proxies = await _admin.GetFromJsonAsync<JsonElement>("/debug/proxies", deadline.Token);
            proxy = proxies.EnumerateArray().Single();
        }
        while (proxy.GetProperty("ackedVersion").GetString() != full.VersionInfo);

        Assert.Equal(("tools-1", "blog", "127.0.1.5", 15006), (proxy.GetProperty("name").GetString(), proxy.GetProperty("namespace").GetString(), proxy.GetProperty("address").GetString(), proxy.GetProperty("inboundPort").GetInt32()));
        Assert.Equal("tools", proxy.GetProperty("labels").GetProperty("app").GetString());
        Assert.Equal("posts", proxy.GetProperty("serviceAccount").GetString());
        Assert.True(proxy.GetProperty("ready").GetBoolean());
        Assert.Equal(full.VersionInfo, proxy.GetProperty("sentVersion").GetString());
        Assert.Equal(JsonValueKind.Null, proxy.GetProperty("lastNack").ValueKind);
        Assert.True(proxy.TryGetProperty("connectedAt", out _));
    }
}

public sealed class ControlPlaneStartupTests
{
    [Fact]
    public async Task Reports_NotReady_AndHoldsSidecars_UntilTheInitialLoadIsPublished()
    {
        var options = ControlPlaneOptions.Parse(["--config", ControlPlaneHostTests.ManifestDirectory(), "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0"]);
        await using var app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders(), runUpdateLoop: false);
        await app.StartListenersAsync(CancellationToken.None);
        try
        {
            using var admin = new HttpClient { BaseAddress = new Uri($"http://{app.AdminEndPoint}") };
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await admin.GetAsync("/readyz")).StatusCode);

            using var channel = GrpcChannel.ForAddress($"http://{app.GrpcEndPoint}");
            using var call = new Protocol.V1.Discovery.DiscoveryClient(channel).Stream();
            await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = DiscoveryHarness.Node("frontend-1", "app=frontend") });
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var first = call.ResponseStream.MoveNext(deadline.Token);

            await app.LoadAsync(CancellationToken.None);

            Assert.True(await first);
            Assert.Contains(call.ResponseStream.Current.Clusters, c => c.Service == "blog/posts" && c.Endpoints.Count == 1);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/readyz")).StatusCode);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }
}

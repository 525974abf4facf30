using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.ControlPlane.Hosting;
using MeshNet.Protocol.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests.Admin;

/// <summary>
/// /debug/explain?id= against the real host with sidecars connected over gRPC: one whose admin listener (a stand-in
/// serving the sidecar's /failures shape) remembers the request, the callee's that saw it inbound, one that never
/// answers and one that reported no admin address.
/// </summary>
public sealed class ExplainByIdEndpointTests : IAsyncLifetime
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
        apiVersion: meshnet.io/v1alpha1
        kind: TrafficPolicy
        metadata: {name: posts, namespace: blog}
        spec:
          targetRef: {kind: Service, name: posts}
          circuitBreaker: {maxRequests: 10}
        """;

    private const string Overloaded = """
        {"capacity":1000,"recorded":3,"failures":[{"at":"2026-11-26T22:10:03.5+00:00","direction":"outbound","method":"GET","authority":"posts.blog",
        "path":"/api/posts","status":503,"error":"overloaded","service":"blog/posts","endpoint":"","endpointWorkload":"","attempts":0,
        "traceId":null,"requestId":"req-7","peer":"","detail":"circuit breaker of outbound|80||posts.blog.svc.cluster.local refused it with 10 requests in flight","durationMs":0.2}]}
        """;

    private const string InboundFailure = """
        {"capacity":1000,"recorded":1,"failures":[{"at":"2026-11-26T22:10:03.1+00:00","direction":"inbound","method":"GET","authority":"posts.blog",
        "path":"/api/posts","status":500,"error":"","service":"","endpoint":"","endpointWorkload":"","attempts":0,
        "traceId":null,"requestId":"req-7","peer":"spiffe://cluster.local/ns/blog/sa/frontend","detail":"","durationMs":3.5}]}
        """;

    private const string Empty = """{"capacity":1000,"recorded":0,"failures":[]}""";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "explain-id-" + Guid.NewGuid().ToString("N"));
    private readonly List<AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse>> _streams = [];
    private readonly TaskCompletionSource _never = new();
    private ControlPlaneApp _app = null!;
    private WebApplication _frontendAdmin = null!;
    private WebApplication _postsAdmin = null!;
    private WebApplication _stuckAdmin = null!;
    private GrpcChannel _channel = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "blog.yaml"), Manifests);
        var options = ControlPlaneOptions.Parse(
            ["--config", _directory, "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--debounce-quiet", "1ms", "--debounce-max", "20ms"]);
        _app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await _app.StartAsync(CancellationToken.None);
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}"), Timeout = Deadline };

        _frontendAdmin = await StandInAsync(id => id == "req-7" ? Overloaded : Empty);
        _postsAdmin = await StandInAsync(id => id == "req-7" ? InboundFailure : Empty);
        _stuckAdmin = await StandInAsync(_ => null);

        _channel = GrpcChannel.ForAddress($"http://{_app.GrpcEndPoint}");
        await ConnectAsync("frontend-1", "app=frontend", Authority(_frontendAdmin));
        await ConnectAsync("posts-1", "app=posts", Authority(_postsAdmin));
        await ConnectAsync("stuck-1", "app=stuck", Authority(_stuckAdmin));
        await ConnectAsync("silent-1", "app=silent", adminAddress: null);

        using var deadline = new CancellationTokenSource(Deadline);
        JsonElement proxies;
        do
        {
            proxies = await _admin.GetFromJsonAsync<JsonElement>("/debug/proxies", deadline.Token);
        }
        while (proxies.GetArrayLength() < 4 || proxies.EnumerateArray().Count(p => p.GetProperty("adminAddress").ValueKind == JsonValueKind.String) < 3);
    }

    public async Task DisposeAsync()
    {
        _never.TrySetResult();
        foreach (var stream in _streams)
        {
            stream.Dispose();
        }

        _channel.Dispose();
        _admin.Dispose();
        await _frontendAdmin.DisposeAsync();
        await _postsAdmin.DisposeAsync();
        await _stuckAdmin.DisposeAsync();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ExplainsById_OutboundFirst_NamesThePolicy_AndTheSidecarsThatDidNotAnswer()
    {
        var explanation = await _admin.GetFromJsonAsync<JsonElement>("/debug/explain?id=req-7");

        Assert.Equal("503 overloaded: TrafficPolicy blog/posts circuitBreaker.maxRequests=10", explanation.GetProperty("summary").GetString());
        var steps = explanation.GetProperty("steps").EnumerateArray().Select(s => (Stage: s.GetProperty("stage").GetString(), Detail: s.GetProperty("detail").GetString()!)).ToList();
        Assert.Equal("request", steps[0].Stage);
        Assert.StartsWith("outbound at blog/frontend-1 2026-11-26T22:10:03.500Z: GET posts.blog/api/posts -> 503 overloaded via Service blog/posts, no attempt sent; circuit breaker of", steps[0].Detail, StringComparison.Ordinal);
        Assert.Equal("request", steps[1].Stage);
        Assert.StartsWith("inbound at blog/posts-1 2026-11-26T22:10:03.100Z: GET posts.blog/api/posts from spiffe://cluster.local/ns/blog/sa/frontend -> 500", steps[1].Detail, StringComparison.Ordinal);
        var silent = Assert.Single(steps, s => s.Stage == "sidecars").Detail;
        Assert.Contains("blog/silent-1 (no admin address reported (Node.admin_address))", silent, StringComparison.Ordinal);
        Assert.Contains("blog/stuck-1 (admin " + Authority(_stuckAdmin) + " did not answer within 2s)", silent, StringComparison.Ordinal);
        Assert.Contains(steps, s => s.Stage == "policy" && s.Detail.Contains("circuitBreaker.maxRequests=10", StringComparison.Ordinal));
        Assert.Equal(["outbound", "inbound"], explanation.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("direction").GetString()));
        Assert.Equal(2, explanation.GetProperty("unanswered").GetArrayLength());
    }

    [Fact]
    public async Task UnknownId_Is404_SayingHowMuchIsKept_AndWhoDidNotAnswer()
    {
        using var response = await _admin.GetAsync("/debug/explain?id=nobody-has-this");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
        Assert.StartsWith("no sidecar remembers a failed request with id 'nobody-has-this' (2 of 4 sidecars answered); each sidecar keeps only its last 1000 failures", error, StringComparison.Ordinal);
        Assert.Contains("did not answer: blog/silent-1 (no admin address reported (Node.admin_address)), blog/stuck-1 (admin", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/debug/explain?id=has%20space")]
    [InlineData("/debug/explain?id=req-7&error=overloaded")]
    public async Task MalformedOrMixedId_Is400(string path)
    {
        using var response = await _admin.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static string Authority(WebApplication app) => new Uri(app.Urls.First()).Authority;

    /// <summary>A sidecar admin stand-in: /failures?id= answers what <paramref name="failures"/> gives, or never when null.</summary>
    private async Task<WebApplication> StandInAsync(Func<string, string?> failures)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/failures", async (string? id, CancellationToken aborted) =>
        {
            if (failures(id ?? string.Empty) is { } body)
            {
                return Results.Text(body, "application/json");
            }

            await _never.Task.WaitAsync(aborted);
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        });
        await app.StartAsync();
        return app;
    }

    private async Task ConnectAsync(string name, string labels, string? adminAddress)
    {
        var call = new Protocol.V1.Discovery.DiscoveryClient(_channel).Stream();
        _streams.Add(call);
        var node = DiscoveryHarness.Node(name, labels);
        if (adminAddress is not null)
        {
            node.AdminAddress = adminAddress;
        }

        using var deadline = new CancellationTokenSource(Deadline);
        await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = node });
        Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
        var full = call.ResponseStream.Current;
        await call.RequestStream.WriteAsync(new DiscoveryRequest { VersionInfo = full.VersionInfo, ResponseNonce = full.Nonce });
    }
}

// meshnet-control's real composition root started with --kubernetes --kubeconfig against ApiServerDouble, a test
// double of the Kubernetes API server (no API server can run on this machine; see ApiServerDouble.cs). Everything
// on the control plane's side is production code: KubernetesClient, the watchers, the status writer, TokenReview.
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.ControlPlane.Hosting;
using MeshNet.Kubernetes.Tests.Api;
using MeshNet.Protocol.V1;
using Microsoft.Extensions.Logging;
using static MeshNet.ControlPlane.Tests.Identity.TestCsr;

namespace MeshNet.ControlPlane.Tests.Kubernetes;

public sealed class KubernetesModeTests : IAsyncLifetime
{
    private const string PostsToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6InBvc3RzIn0.posts.sig";
    private const string UsersToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6InVzZXJzIn0.users.sig";

    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("meshnet-k8s-");
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));
    private ApiServerDouble _server = null!;
    private ControlPlaneApp _app = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServerDouble.StartAsync();
        _server.Apply(ApiObjects.Namespace("blog"));
        _server.Apply(ApiObjects.Service("blog", "posts", "10.96.0.20"));
        _server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-abcde", "posts", "10.244.1.5", serviceAccount: "posts"));
        _server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-fghij", "posts", "10.244.2.7", ready: false, serviceAccount: "posts"));
        _server.Apply(ApiObjects.EndpointSlice("blog", "posts", "posts-x2k9q",
            ("10.244.1.5", "posts-7d9f8b6c5d-abcde", true, true, false),
            ("10.244.2.7", "posts-7d9f8b6c5d-fghij", false, false, true)));
        _server.AcceptToken(PostsToken, "system:serviceaccount:blog:posts", "meshnet");
        _server.AcceptToken(UsersToken, "system:serviceaccount:blog:users", "meshnet");
        var options = ControlPlaneOptions.Parse(
        [
            "--kubernetes", "--kubeconfig", _server.WriteKubeconfig(_state.FullName), "--token-audience", "meshnet",
            "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--state-dir", _state.FullName,
            "--debounce-quiet", "1ms", "--debounce-max", "20ms",
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
    public async Task ServicePodsAndEndpointSlice_FromTheApi_AppearInDebugServices()
    {
        Assert.Equal(System.Net.HttpStatusCode.OK, (await _admin.GetAsync("/readyz", _deadline.Token)).StatusCode);

        var posts = (await _admin.GetFromJsonAsync<JsonElement>("/debug/services", _deadline.Token)).EnumerateArray()
            .Single(s => s.GetProperty("namespace").GetString() == "blog" && s.GetProperty("name").GetString() == "posts");

        Assert.Equal(["10.96.0.20"], posts.GetProperty("clusterIPs").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(
            [("10.244.1.5", true), ("10.244.2.7", false)],
            posts.GetProperty("endpoints").EnumerateArray()
                .Select(e => (e.GetProperty("address").GetString()!, e.GetProperty("ready").GetBoolean()))
                .OrderBy(e => e.Item1, StringComparer.Ordinal));
        Assert.Equal(1, _server.Requests("LIST pods"));
    }

    [Fact]
    public async Task NewPod_FromAWatch_BecomesAnEndpoint()
    {
        _server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-klmno", "posts", "10.244.3.8", serviceAccount: "posts"));

        await PollAsync(async () => (await _admin.GetStringAsync("/debug/services", _deadline.Token)).Contains("10.244.3.8", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TrafficPolicy_ForAnExistingService_IsPatchedAcceptedTrue()
    {
        _server.Apply(ApiObjects.TrafficPolicy("blog", "posts-retries", "posts"));

        var condition = await AcceptedConditionAsync("posts-retries", c => c is not null);

        Assert.Equal(("True", "Accepted", 1L), (Text(condition!, "status"), Text(condition!, "reason"), condition!["observedGeneration"]!.GetValue<long>()));
        Assert.Equal("application/merge-patch+json", Assert.Single(_server.Patches).ContentType.Split(';')[0]);
    }

    [Fact]
    public async Task TrafficPolicy_ForAMissingService_IsAcceptedFalse_NamingTheField_UntilTheServiceExists()
    {
        _server.Apply(ApiObjects.TrafficPolicy("blog", "comments-retries", "comments"));

        var refused = await AcceptedConditionAsync("comments-retries", c => c is not null);
        Assert.Equal(("False", "Rejected"), (Text(refused!, "status"), Text(refused!, "reason")));
        Assert.Equal("spec.targetRef.name: Service blog/comments does not exist", Text(refused!, "message"));

        _server.Apply(ApiObjects.Service("blog", "comments", "10.96.0.30"));
        var accepted = await AcceptedConditionAsync("comments-retries", c => c is not null && Text(c, "status") == "True");
        Assert.Equal("Accepted", Text(accepted!, "reason"));
    }

    [Fact]
    public async Task TrafficPolicy_ThatFailsValidation_IsAcceptedFalse_AndListedInDebugErrors()
    {
        _server.Apply(ApiObjects.TrafficPolicy("blog", "posts-slow", "posts", requestTimeout: "48h"));

        var condition = await AcceptedConditionAsync("posts-slow", c => c is not null);

        Assert.Equal(("False", "Invalid"), (Text(condition!, "status"), Text(condition!, "reason")));
        Assert.StartsWith("spec.timeouts.request: ", Text(condition!, "message"), StringComparison.Ordinal);
        var errors = await _admin.GetFromJsonAsync<JsonElement>("/debug/errors", _deadline.Token);
        var error = errors.EnumerateArray().Single(e => e.GetProperty("origin").GetString() == "kubernetes/trafficpolicies");
        Assert.Equal(("TrafficPolicy blog/posts-slow", "spec.timeouts.request"), (error.GetProperty("resource").GetString(), error.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task AuthorizationPolicy_GetsItsVerdict_TooForAMissingTarget()
    {
        _server.Apply(ApiObjects.AuthorizationPolicy("blog", "posts-readers", "posts"));
        _server.Apply(ApiObjects.AuthorizationPolicy("blog", "ghost-readers", "ghost"));

        var accepted = await AcceptedConditionAsync("posts-readers", c => c is not null, "AuthorizationPolicy");
        var refused = await AcceptedConditionAsync("ghost-readers", c => c is not null, "AuthorizationPolicy");

        Assert.Equal(("True", "in force for generation 1"), (Text(accepted!, "status"), Text(accepted!, "message")));
        Assert.Equal(("False", "Rejected"), (Text(refused!, "status"), Text(refused!, "reason")));
        Assert.StartsWith("spec.targetRef.name: ", Text(refused!, "message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certify_WithATokenReviewApprovedServiceAccountToken_Succeeds()
    {
        var response = await CertifyAsync(Build(Posts), PostsToken);

        Assert.Equal(Posts, response.Identity);
        var review = Assert.Single(_server.TokenReviews);
        Assert.Equal((PostsToken, "meshnet"), (review.Token, review.Audiences.Single()));
    }

    [Fact]
    public async Task Certify_WithARejectedToken_IsPermissionDenied()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => CertifyAsync(Build(Posts), "eyJhbGciOiJSUzI1NiJ9.forged.sig"));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.StartsWith("the Kubernetes API did not authenticate the token: [invalid bearer token", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certify_ForAnotherServiceAccountThanTheTokens_IsPermissionDenied()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => CertifyAsync(Build(Posts), UsersToken));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("spiffe://cluster.local/ns/blog/sa/users", error.Status.Detail, StringComparison.Ordinal);
    }

    private async Task<CertifyResponse> CertifyAsync(byte[] csr, string token)
    {
        using var channel = GrpcChannel.ForAddress($"http://{_app.GrpcEndPoint}");
        var client = new Protocol.V1.Identity.IdentityClient(channel);
        return await client.CertifyAsync(
            new CertifyRequest { Csr = ByteString.CopyFrom(csr) },
            new Metadata { { "authorization", "Bearer " + token } },
            deadline: DateTime.UtcNow.AddSeconds(30));
    }

    /// <summary>The object's Accepted condition once <paramref name="done"/> holds; the status writer patches asynchronously.</summary>
    private async Task<JsonObject?> AcceptedConditionAsync(string name, Func<JsonObject?, bool> done, string kind = "TrafficPolicy")
    {
        JsonObject? condition = null;
        await PollAsync(() =>
        {
            condition = _server.Get(kind, "blog", name)?["status"]?["conditions"]?.AsArray().SingleOrDefault(c => c?["type"]?.GetValue<string>() == "Accepted")?.AsObject();
            return Task.FromResult(done(condition));
        });
        return condition;
    }

    /// <summary>End-to-end through two processes' worth of loops: poll with a deadline.</summary>
    private async Task PollAsync(Func<Task<bool>> condition)
    {
        while (!await condition())
        {
            await Task.Delay(20, _deadline.Token);
        }
    }

    private static string Text(JsonObject item, string name) => item[name]!.GetValue<string>();
}

// meshnet-control's real composition root in Kubernetes mode against a test double of the API server
// (KubernetesModeHost; no API server can run on this machine). Everything on the control plane's side is production
// code: KubernetesClient, the watchers, the status writer, TokenReview.
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.Kubernetes.Tests.Api;
using MeshNet.Protocol.V1;
using static MeshNet.ControlPlane.Tests.Identity.TestCsr;

namespace MeshNet.ControlPlane.Tests.Kubernetes;

public sealed class KubernetesModeTests : IAsyncLifetime
{
    private const string PostsToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6InBvc3RzIn0.posts.sig";
    private const string UsersToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6InVzZXJzIn0.users.sig";

    private KubernetesModeHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await KubernetesModeHost.StartAsync(
            server =>
            {
                server.Apply(ApiObjects.Namespace("blog"));
                server.Apply(ApiObjects.Service("blog", "posts", "10.96.0.20"));
                server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-abcde", "posts", "10.244.1.5", serviceAccount: "posts"));
                server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-fghij", "posts", "10.244.2.7", ready: false, serviceAccount: "posts"));
                server.Apply(ApiObjects.EndpointSlice("blog", "posts", "posts-x2k9q",
                    ("10.244.1.5", "posts-7d9f8b6c5d-abcde", true, true, false),
                    ("10.244.2.7", "posts-7d9f8b6c5d-fghij", false, false, true)));
                server.AcceptToken(PostsToken, "system:serviceaccount:blog:posts", "meshnet");
                server.AcceptToken(UsersToken, "system:serviceaccount:blog:users", "meshnet");
            },
            "--token-audience", "meshnet");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ServicePodsAndEndpointSlice_FromTheApi_AppearInDebugServices()
    {
        Assert.Equal(System.Net.HttpStatusCode.OK, (await _host.Admin.GetAsync("/readyz", _host.Deadline)).StatusCode);

        var posts = (await _host.Admin.GetFromJsonAsync<JsonElement>("/debug/services", _host.Deadline)).EnumerateArray()
            .Single(s => s.GetProperty("namespace").GetString() == "blog" && s.GetProperty("name").GetString() == "posts");

        Assert.Equal(["10.96.0.20"], posts.GetProperty("clusterIPs").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(
            [("10.244.1.5", true), ("10.244.2.7", false)],
            posts.GetProperty("endpoints").EnumerateArray()
                .Select(e => (e.GetProperty("address").GetString()!, e.GetProperty("ready").GetBoolean()))
                .OrderBy(e => e.Item1, StringComparer.Ordinal));
        Assert.Equal(1, _host.Server.Requests("LIST pods"));
    }

    [Fact]
    public async Task NewPod_FromAWatch_BecomesAnEndpoint()
    {
        _host.Server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-klmno", "posts", "10.244.3.8", serviceAccount: "posts"));

        await PollAsync(async () => (await _host.Admin.GetStringAsync("/debug/services", _host.Deadline)).Contains("10.244.3.8", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TrafficPolicy_ForAnExistingService_IsPatchedAcceptedTrue()
    {
        _host.Server.Apply(ApiObjects.TrafficPolicy("blog", "posts-retries", "posts"));

        var condition = await AcceptedConditionAsync("posts-retries", c => c is not null);

        Assert.Equal(("True", "Accepted", 1L), (Text(condition!, "status"), Text(condition!, "reason"), condition!["observedGeneration"]!.GetValue<long>()));
        Assert.Equal("application/merge-patch+json", Assert.Single(_host.Server.Patches).ContentType.Split(';')[0]);
    }

    [Fact]
    public async Task TrafficPolicy_ForAMissingService_IsAcceptedFalse_NamingTheField_UntilTheServiceExists()
    {
        _host.Server.Apply(ApiObjects.TrafficPolicy("blog", "comments-retries", "comments"));

        var refused = await AcceptedConditionAsync("comments-retries", c => c is not null);
        Assert.Equal(("False", "Rejected"), (Text(refused!, "status"), Text(refused!, "reason")));
        Assert.Equal("spec.targetRef.name: Service blog/comments does not exist", Text(refused!, "message"));

        _host.Server.Apply(ApiObjects.Service("blog", "comments", "10.96.0.30"));
        var accepted = await AcceptedConditionAsync("comments-retries", c => c is not null && Text(c, "status") == "True");
        Assert.Equal("Accepted", Text(accepted!, "reason"));
    }

    [Fact]
    public async Task TrafficPolicy_ThatFailsValidation_IsAcceptedFalse_AndListedInDebugErrors()
    {
        _host.Server.Apply(ApiObjects.TrafficPolicy("blog", "posts-slow", "posts", requestTimeout: "48h"));

        var condition = await AcceptedConditionAsync("posts-slow", c => c is not null);

        Assert.Equal(("False", "Invalid"), (Text(condition!, "status"), Text(condition!, "reason")));
        Assert.StartsWith("spec.timeouts.request: ", Text(condition!, "message"), StringComparison.Ordinal);
        var errors = await _host.Admin.GetFromJsonAsync<JsonElement>("/debug/errors", _host.Deadline);
        var error = errors.EnumerateArray().Single(e => e.GetProperty("origin").GetString() == "kubernetes/trafficpolicies");
        Assert.Equal(("TrafficPolicy blog/posts-slow", "spec.timeouts.request"), (error.GetProperty("resource").GetString(), error.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task AuthorizationPolicy_GetsItsVerdict_TooForAMissingTarget()
    {
        _host.Server.Apply(ApiObjects.AuthorizationPolicy("blog", "posts-readers", "posts"));
        _host.Server.Apply(ApiObjects.AuthorizationPolicy("blog", "ghost-readers", "ghost"));

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
        var review = Assert.Single(_host.Server.TokenReviews);
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
        using var channel = GrpcChannel.ForAddress($"http://{_host.App.GrpcEndPoint}");
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
            condition = _host.Server.Get(kind, "blog", name)?["status"]?["conditions"]?.AsArray().SingleOrDefault(c => c?["type"]?.GetValue<string>() == "Accepted")?.AsObject();
            return Task.FromResult(done(condition));
        });
        return condition;
    }

    /// <summary>End-to-end through two processes' worth of loops: poll with a deadline.</summary>
    private async Task PollAsync(Func<Task<bool>> condition)
    {
        while (!await condition())
        {
            await Task.Delay(20, _host.Deadline);
        }
    }

    private static string Text(JsonObject item, string name) => item[name]!.GetValue<string>();
}

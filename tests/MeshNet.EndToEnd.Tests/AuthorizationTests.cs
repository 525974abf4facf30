using System.Net;
using MeshNet.EndToEnd.Tests.Authorization;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>
/// AuthorizationPolicy end to end, with certificates: callers are told apart by the SPIFFE ID their sidecar proves
/// over mTLS, and the sidecar in front of the app refuses what no policy allows with 403 <c>authz-denied</c> and a log
/// line naming the policy and the caller. The first two tests run the blog sample's own manifests.
/// </summary>
public sealed class AuthorizationTests(ITestOutputHelper output)
{
    private const string Denied = "authz-denied";
    private const string PostsIndex = "http://posts.blog/";
    private const string OnePost = "http://posts.blog/posts/42";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task BlogSample_FrontendMayReadPosts_CommentsAndPlaintextCallersMayNot()
    {
        var log = new RecordingOutput(output);
        await using var bed = await MeshTestBed.StartAsync(log, BlogSample.Manifests());
        await using var blog = new BlogSample(bed);
        var posts = await blog.StartPostsAsync("posts-1");
        var frontend = await blog.StartCallerAsync("frontend-1", "frontend");
        var comments = await blog.StartCallerAsync("comments-1", "comments");
        var anonymous = await blog.StartCallerAsync("anonymous-1", serviceAccount: null);
        await blog.WaitForPostsAsync(Timeout, posts.Address);
        await ReadyToCallPostsAsync(bed, posts, frontend, comments);
        await bed.WaitForSidecarConfigAsync(anonymous.RequiredSidecar, [posts.Address]);

        // The sample's files are accepted as written: a rejected policy would have no version in force.
        Assert.Empty(await bed.Admin.ErrorsAsync());
        using var asFrontend = new MeshClient(frontend.RequiredSidecar.Outbound);
        using var asComments = new MeshClient(comments.RequiredSidecar.Outbound);
        using var asAnonymous = new MeshClient(anonymous.RequiredSidecar.Outbound);

        // The frontend reads the index and a post, and the app learns who called.
        var index = await AuthorizationProbe.SendAsync(asFrontend, HttpMethod.Get, PostsIndex);
        var post = await AuthorizationProbe.SendAsync(asFrontend, HttpMethod.Get, OnePost);
        Assert.Equal(HttpStatusCode.OK, index.Status);
        Assert.Equal(HttpStatusCode.OK, post.Status);
        Assert.Equal("spiffe://cluster.local/ns/blog/sa/frontend", post.Peer);

        // Reading is all it may do.
        var write = await AuthorizationProbe.SendAsync(asFrontend, HttpMethod.Post, OnePost);
        Assert.Equal((HttpStatusCode.Forbidden, Denied), (write.Status, write.MeshError));

        // comments may not call posts at all: the Deny policy says so, and the log names it and the caller.
        var fromComments = await AuthorizationProbe.SendAsync(asComments, HttpMethod.Get, OnePost);
        Assert.Equal((HttpStatusCode.Forbidden, Denied), (fromComments.Status, fromComments.MeshError));
        var line = await log.WaitForLineAsync("posts-1/sidecar", Timeout,
            "Denied GET /posts/42", "from spiffe://cluster.local/ns/blog/sa/comments", "by policy blog/posts-deny-comments");
        bed.Log.Note($"denial logged: {line}");

        // A caller without an identity matches no Allow rule in the default-deny namespace.
        var fromAnonymous = await AuthorizationProbe.SendAsync(asAnonymous, HttpMethod.Get, PostsIndex);
        Assert.Equal((HttpStatusCode.Forbidden, Denied), (fromAnonymous.Status, fromAnonymous.MeshError));
        await log.WaitForLineAsync("posts-1/sidecar", Timeout, "Denied GET / ", "from plaintext", "by policy blog/posts-readers");
    }

    [Fact]
    public async Task BlogSample_DenyWinsOverAnAllowForTheSameCaller()
    {
        var log = new RecordingOutput(output);
        await using var bed = await MeshTestBed.StartAsync(log, [.. BlogSample.Manifests(), ("blog-allow-comments.yaml", AllowCommentsToReadPosts)]);
        await using var blog = new BlogSample(bed);
        var posts = await blog.StartPostsAsync("posts-1");
        var comments = await blog.StartCallerAsync("comments-1", "comments");
        await blog.WaitForPostsAsync(Timeout, posts.Address);
        await ReadyToCallPostsAsync(bed, posts, comments);
        using var asComments = new MeshClient(comments.RequiredSidecar.Outbound);

        // An Allow names comments, and the sample's Deny names it too: the Deny wins.
        var denied = await AuthorizationProbe.SendAsync(asComments, HttpMethod.Get, OnePost);
        Assert.Equal((HttpStatusCode.Forbidden, Denied), (denied.Status, denied.MeshError));
        await log.WaitForLineAsync("posts-1/sidecar", Timeout, "from spiffe://cluster.local/ns/blog/sa/comments", "by policy blog/posts-deny-comments");

        // Without the Deny, the same Allow lets the same request through: it was the Deny alone that refused it.
        bed.Manifests.Write(BlogSample.AuthorizationFile, BlogSample.AuthorizationWithout("posts-deny-comments"));
        var (allowed, after) = await Poll.UntilAsync(
            () => AuthorizationProbe.SendAsync(asComments, HttpMethod.Get, OnePost),
            outcome => outcome.Status != HttpStatusCode.Forbidden,
            Timeout,
            "comments may read posts once the Deny is removed");
        bed.Log.Note($"Deny removed; comments allowed {after.TotalMilliseconds:F0} ms later");
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        Assert.Equal("spiffe://cluster.local/ns/blog/sa/comments", allowed.Peer);
    }

    [Fact]
    public async Task DefaultDenyNamespace_RefusesEveryCaller_UntilAnAllowNamesOne_AndPlaintextStaysRefused()
    {
        var log = new RecordingOutput(output);
        await using var bed = await MeshTestBed.StartAsync(log, ("namespace.yaml", DefaultDenyNamespace), BackendServiceManifest());
        var backendIdentity = await bed.Admin.CreateJoinTokenAsync(MeshTestBed.Namespace, "backend");
        var clientIdentity = await bed.Admin.CreateJoinTokenAsync(MeshTestBed.Namespace, "client");
        var backend = await bed.StartMeshedBackendAsync("backend-1", BackendLabels, backendIdentity);
        var client = await bed.StartClientAsync("client", clientIdentity);
        var anonymous = await bed.StartClientAsync("anonymous");
        await bed.WaitForReadyEndpointsAsync(BackendService, Timeout, backend.Address);
        await AuthorizationProbe.WaitForCertificateAsync(client.RequiredSidecar, Timeout);
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, [backend.Address]);
        await bed.WaitForSidecarConfigAsync(anonymous.RequiredSidecar, [backend.Address]);
        using var asClient = new MeshClient(client.RequiredSidecar.Outbound);
        using var asAnonymous = new MeshClient(anonymous.RequiredSidecar.Outbound);

        // No policy at all: default deny refuses the plaintext caller and the one with an identity alike.
        var plaintext = await AuthorizationProbe.SendAsync(asAnonymous, HttpMethod.Get, BackendUrl);
        var withIdentity = await AuthorizationProbe.SendAsync(asClient, HttpMethod.Get, BackendUrl);
        Assert.Equal((HttpStatusCode.Forbidden, Denied), (plaintext.Status, plaintext.MeshError));
        Assert.Equal((HttpStatusCode.Forbidden, Denied), (withIdentity.Status, withIdentity.MeshError));
        await log.WaitForLineAsync("backend-1/sidecar", Timeout, "Denied GET /", "from plaintext", "by policy default-deny");
        await log.WaitForLineAsync("backend-1/sidecar", Timeout, "Denied GET /", "from spiffe://cluster.local/ns/e2e/sa/client", "by policy default-deny");

        // An Allow for the client's service account opens the backend to it, and to nobody else.
        bed.Manifests.Write("allow-client.yaml", AllowClientToBackend);
        var (allowed, _) = await Poll.UntilAsync(
            () => AuthorizationProbe.SendAsync(asClient, HttpMethod.Get, BackendUrl),
            outcome => outcome.Status != HttpStatusCode.Forbidden,
            Timeout,
            "the client is allowed once the policy is in force");
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        Assert.Equal("spiffe://cluster.local/ns/e2e/sa/client", allowed.Peer);
        var stillPlaintext = await AuthorizationProbe.SendAsync(asAnonymous, HttpMethod.Get, BackendUrl);
        Assert.Equal((HttpStatusCode.Forbidden, Denied), (stillPlaintext.Status, stillPlaintext.MeshError));
        await log.WaitForLineAsync("backend-1/sidecar", Timeout, "from plaintext", "by policy e2e/backend-from-client");
    }

    /// <summary>Certified callers with the posts endpoint in their config: the next request is judged on its identity.</summary>
    private static async Task ReadyToCallPostsAsync(MeshTestBed bed, MeshPod posts, params MeshPod[] callers)
    {
        await AuthorizationProbe.WaitForCertificateAsync(posts.RequiredSidecar, Timeout);
        foreach (var caller in callers)
        {
            await AuthorizationProbe.WaitForCertificateAsync(caller.RequiredSidecar, Timeout);
            await bed.WaitForSidecarConfigAsync(caller.RequiredSidecar, [posts.Address]);
        }
    }

    private static readonly string DefaultDenyNamespace = $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {MeshTestBed.Namespace}
          annotations:
            meshnet.io/default-policy: deny
        """;

    private static readonly string AllowClientToBackend = $"""
        apiVersion: meshnet.io/v1alpha1
        kind: AuthorizationPolicy
        metadata:
          name: backend-from-client
          namespace: {MeshTestBed.Namespace}
        spec:
          targetRef: {"{"}kind: Service, name: {BackendService}{"}"}
          action: Allow
          rules:
            - from:
                - serviceAccounts: [{MeshTestBed.Namespace}/client]
        """;

    private const string AllowCommentsToReadPosts = """
        apiVersion: meshnet.io/v1alpha1
        kind: AuthorizationPolicy
        metadata:
          name: posts-comments-experiment
          namespace: blog
        spec:
          targetRef: {kind: Service, name: posts}
          action: Allow
          rules:
            - from:
                - serviceAccounts: [blog/comments]
              to:
                - methods: [GET]
        """;
}

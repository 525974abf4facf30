using System.Net;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Infrastructure;
using MeshNet.Proxy.Tls;

namespace MeshNet.Proxy.Tests.Tls;

/// <summary>Sidecar to sidecar: the client originates mTLS to endpoints that have an identity, and checks it.</summary>
public sealed class OutboundMtlsTests
{
    private const string ServerId = "spiffe://cluster.local/ns/blog/sa/posts";
    private const string ClientId = "spiffe://cluster.local/ns/client/sa/frontend";

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Originates_MutualTls_ToAnEndpointWithAnIdentity(string version)
    {
        using var ca = new TestCa();
        var certifier = new TestCaCertifier(ca, TimeSpan.FromHours(1));
        await using var app = await PeerEchoApp.StartAsync();
        await using var server = await MtlsSidecar.StartAsync(certifier, app.Port, MtlsMode.Strict);
        await using var client = await MtlsSidecar.StartAsync(certifier, 0, MtlsMode.Permissive, ns: "client", serviceAccount: "frontend");
        await client.PushAsync("2", MtlsMode.Permissive, PostsCluster(server, app, ServerId));

        var (status, body, error) = await SendAsync(client, Version.Parse(version));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(error);
        Assert.Equal(version == "2.0" ? $"HTTP/2|{ClientId}" : $"HTTP/1.1|{ClientId}", body);
    }

    [Fact]
    public async Task Refuses_AServerWithAnotherIdentity_AsAConnectFailure()
    {
        using var ca = new TestCa();
        var certifier = new TestCaCertifier(ca, TimeSpan.FromHours(1));
        await using var app = await PeerEchoApp.StartAsync();
        await using var server = await MtlsSidecar.StartAsync(certifier, app.Port, MtlsMode.Strict);
        await using var client = await MtlsSidecar.StartAsync(certifier, 0, MtlsMode.Permissive, ns: "client", serviceAccount: "frontend");
        // The control plane says the endpoint runs as "payments"; the sidecar there proves it is "posts".
        await client.PushAsync("2", MtlsMode.Permissive, PostsCluster(server, app, "spiffe://cluster.local/ns/blog/sa/payments"));

        var (status, _, error) = await SendAsync(client, HttpVersion.Version11);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("upstream-connect-failure", error);
        Assert.Equal([PeerRejection.IdentityMismatch], client.Refusals.Snapshot().Keys);
        Assert.Contains(client.Logs, line => line.Contains($"Refused the server certificate: identity-mismatch ({ServerId}, expected spiffe://cluster.local/ns/blog/sa/payments)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refuses_AServerFromAnotherMesh()
    {
        using var ca = new TestCa();
        using var otherCa = new TestCa("Other Mesh Root");
        await using var app = await PeerEchoApp.StartAsync();
        await using var server = await MtlsSidecar.StartAsync(new TestCaCertifier(otherCa, TimeSpan.FromHours(1)), app.Port, MtlsMode.Permissive);
        await using var client = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), 0, MtlsMode.Permissive, ns: "client", serviceAccount: "frontend");
        await client.PushAsync("2", MtlsMode.Permissive, PostsCluster(server, app, ServerId));

        var (status, _, error) = await SendAsync(client, HttpVersion.Version11);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("upstream-connect-failure", error);
        Assert.Equal([PeerRejection.UnknownAuthority], client.Refusals.Snapshot().Keys);
    }

    [Fact]
    public async Task TrustAnchorRotation_PeersUnderTheOldAndTheNewRootVerifyEachOther_WhileTheBundleHoldsBoth()
    {
        using var oldRoot = new TestCa("Old Root");
        using var newRoot = new TestCa("New Root");
        await using var app = await PeerEchoApp.StartAsync();
        // Phase two of a rotation: the server already holds a leaf of the new root, the client still one of the old.
        await using var server = await MtlsSidecar.StartAsync(new TestCaCertifier(newRoot, TimeSpan.FromHours(1), null, oldRoot), app.Port, MtlsMode.Strict);
        await using var client = await MtlsSidecar.StartAsync(new TestCaCertifier(oldRoot, TimeSpan.FromHours(1), null, newRoot), 0, MtlsMode.Strict, ns: "client", serviceAccount: "frontend");
        await client.PushAsync("2", MtlsMode.Strict, PostsCluster(server, app, ServerId));

        var (status, body, _) = await SendAsync(client, HttpVersion.Version11);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"HTTP/1.1|{ClientId}", body);
        Assert.Equal(2, server.Certificate.TrustBundle.Count);
    }

    [Fact]
    public async Task SpeaksPlaintext_ToAnEndpointWithoutIdentity()
    {
        using var ca = new TestCa();
        var certifier = new TestCaCertifier(ca, TimeSpan.FromHours(1));
        await using var app = await PeerEchoApp.StartAsync();
        await using var server = await MtlsSidecar.StartAsync(certifier, app.Port, MtlsMode.Permissive);
        await using var client = await MtlsSidecar.StartAsync(certifier, 0, MtlsMode.Permissive, ns: "client", serviceAccount: "frontend");
        await client.PushAsync("2", MtlsMode.Permissive, PostsCluster(server, app, identity: string.Empty));

        var (status, body, _) = await SendAsync(client, HttpVersion.Version11);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("HTTP/1.1|plaintext", body);
    }

    internal static Cluster PostsCluster(MtlsSidecar server, PeerEchoApp app, string identity)
    {
        var endpoint = MeshConfig.Meshed(server.InboundPort, app.Port);
        endpoint.Identity = identity;
        return MeshConfig.Cluster("blog", "posts", 80, endpoint);
    }

    internal static async Task<(HttpStatusCode Status, string Body, string? Error)> SendAsync(MtlsSidecar client, Version version, HttpClient? http = null)
    {
        using var owned = http is null ? new HttpClient(new SocketsHttpHandler { UseProxy = false }) : null;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{client.OutboundPort}/")
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Host = "posts.blog";
        using var response = await (http ?? owned!).SendAsync(request);
        var error = response.Headers.TryGetValues("x-meshnet-error", out var values) ? values.Single() : null;
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), error);
    }
}

// meshnet-control in Kubernetes mode (KubernetesModeHost, over the API server double) following its CA Secret while
// running: the runbook's phases done by editing the Secret, a broken edit, a deleted and a recreated Secret.
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.Protocol.V1;
using static MeshNet.ControlPlane.Tests.Identity.TestCsr;
using static MeshNet.ControlPlane.Tests.Kubernetes.TestCaSecrets;

namespace MeshNet.ControlPlane.Tests.Kubernetes;

public sealed class CaSecretRotationTests : IAsyncLifetime
{
    private const string PostsToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6InBvc3RzIn0.posts.sig";

    private readonly X509Certificate2 _oldRoot = NewCa("Old root", issuer: null);
    private readonly X509Certificate2 _newRoot = NewCa("New root", issuer: null);
    private KubernetesModeHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await KubernetesModeHost.StartAsync(
            server =>
            {
                server.Apply(Secret(_oldRoot));
                server.AcceptToken(PostsToken, "system:serviceaccount:blog:posts", "meshnet");
            },
            "--pod-namespace", Namespace, "--token-audience", "meshnet");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _oldRoot.Dispose();
        _newRoot.Dispose();
    }

    [Fact]
    public async Task EditingTheSecret_WalksTheThreeRotationPhases_AndAConnectedSidecarsBundleFollows()
    {
        using var channel = GrpcChannel.ForAddress($"http://{_host.App.GrpcEndPoint}");
        using var call = new Protocol.V1.Discovery.DiscoveryClient(channel).Stream();
        await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = DiscoveryHarness.Node("posts-1", "app=posts", "127.0.1.5") }, _host.Deadline);
        var sidecar = new BundleFollower(call, _host.Deadline);
        var first = await sidecar.UntilAsync(_ => true);
        Assert.Equal(Sha256(_oldRoot), first.SignerSha256);
        Assert.Equal([Sha256(_oldRoot)], Roots(first));

        _host.Server.Apply(Secret(_oldRoot, extraRoots: [_oldRoot, _newRoot]));
        var trusted = await sidecar.UntilAsync(b => b.Roots.Count == 2);
        Assert.Equal(Sha256(_oldRoot), trusted.SignerSha256);
        Assert.Equal(Sorted(_oldRoot, _newRoot), Roots(trusted));
        Assert.Equal(Sorted(_oldRoot, _newRoot), (await CaAsync()).GetProperty("bundle").EnumerateArray().Select(r => r.GetProperty("sha256").GetString()!).Order(StringComparer.Ordinal));

        _host.Server.Apply(Secret(_newRoot, extraRoots: [_oldRoot, _newRoot]));
        var signing = await sidecar.UntilAsync(b => b.SignerSha256 == Sha256(_newRoot));
        Assert.Equal(Sorted(_oldRoot, _newRoot), Roots(signing));
        Assert.Equal(Sha256(_newRoot), (await CaAsync()).GetProperty("signer").GetProperty("sha256").GetString());
        Assert.Equal(Sha256(_newRoot), IssuerSha256(await CertifyAsync()));

        _host.Server.Apply(Secret(_newRoot, extraRoots: []));
        var dropped = await sidecar.UntilAsync(b => b.Roots.Count == 1);
        Assert.Equal(Sha256(_newRoot), dropped.SignerSha256);
        Assert.Equal([Sha256(_newRoot)], Roots(dropped));
        Assert.Equal(JsonValueKind.Null, (await CaAsync()).GetProperty("lastError").ValueKind);
    }

    [Fact]
    public async Task ASecretWhoseKeyDoesNotMatch_IsRefused_NamingSecretAndKey_AndTheOldSignerKeepsSigning()
    {
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _host.Server.Apply(Secret(_newRoot.ExportCertificatePem(), stranger.ExportPkcs8PrivateKeyPem()));

        var ca = await CaUntilAsync(c => c.GetProperty("lastError").ValueKind == JsonValueKind.String);

        var error = ca.GetProperty("lastError").GetString()!;
        Assert.StartsWith($"Secret {Namespace}/meshnet-ca: cannot load the CA certificate tls.crt with its key tls.key: ", error, StringComparison.Ordinal);
        Assert.Equal(Sha256(_oldRoot), ca.GetProperty("signer").GetProperty("sha256").GetString());
        var reported = (await _host.Admin.GetFromJsonAsync<JsonElement>("/debug/errors", _host.Deadline)).EnumerateArray()
            .Single(e => e.GetProperty("origin").GetString() == "identity");
        Assert.Equal(error, reported.GetProperty("message").GetString());
        Assert.Equal(Sha256(_oldRoot), IssuerSha256(await CertifyAsync()));

        _host.Server.Apply(Secret(_newRoot));
        var repaired = await CaUntilAsync(c => c.GetProperty("signer").GetProperty("sha256").GetString() == Sha256(_newRoot));
        Assert.Equal(JsonValueKind.Null, repaired.GetProperty("lastError").ValueKind);
        Assert.Equal(Sha256(_newRoot), IssuerSha256(await CertifyAsync()));
    }

    [Fact]
    public async Task ADeletedSecret_KeepsTheCaWithoutGeneratingARoot_AndARecreatedOneIsFollowed()
    {
        _host.Server.Delete("Secret", Namespace, "meshnet-ca");

        var ca = await CaUntilAsync(c => c.GetProperty("lastError").ValueKind == JsonValueKind.String);

        Assert.StartsWith($"Secret {Namespace}/meshnet-ca: not found (deleted?): still signing with the last good CA", ca.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(Sha256(_oldRoot), ca.GetProperty("signer").GetProperty("sha256").GetString());
        Assert.Equal(Sha256(_oldRoot), IssuerSha256(await CertifyAsync()));
        Assert.Empty(_host.Server.SecretPosts);

        _host.Server.Apply(Secret(_newRoot));
        var recreated = await CaUntilAsync(c => c.GetProperty("signer").GetProperty("sha256").GetString() == Sha256(_newRoot));
        Assert.Equal(JsonValueKind.Null, recreated.GetProperty("lastError").ValueKind);
        Assert.Empty(_host.Server.SecretPosts);
    }

    [Fact]
    public async Task FailedReadsOfTheSecret_ChangeNothing_AndFollowingResumes()
    {
        var before = _host.Server.Requests("GET secrets");
        _host.Server.FailNext("GET secrets", 2);
        await _host.Server.WaitForRequestsAsync("GET secrets", before + 2, _host.Deadline);

        var ca = await CaAsync();
        Assert.Equal(Sha256(_oldRoot), ca.GetProperty("signer").GetProperty("sha256").GetString());
        Assert.Equal(JsonValueKind.Null, ca.GetProperty("lastError").ValueKind);

        _host.Server.Apply(Secret(_newRoot));
        await CaUntilAsync(c => c.GetProperty("signer").GetProperty("sha256").GetString() == Sha256(_newRoot));
    }

    [Fact]
    public async Task AnExtraRootThatIsNotACa_IsRefused_NamingTheKey()
    {
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = new CertificateRequest("CN=not a ca", leafKey, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        _host.Server.Apply(Secret(_oldRoot, extraRoots: [leaf]));

        var ca = await CaUntilAsync(c => c.GetProperty("lastError").ValueKind == JsonValueKind.String);

        Assert.Equal($"Secret {Namespace}/meshnet-ca: ca-bundle-extra.pem: CN=not a ca is not a CA certificate (needs basicConstraints CA:true)", ca.GetProperty("lastError").GetString());
        Assert.Single(ca.GetProperty("bundle").EnumerateArray());
    }

    private async Task<JsonElement> CaAsync() => await _host.Admin.GetFromJsonAsync<JsonElement>("/identity/ca", _host.Deadline);

    /// <summary>The Secret is polled every few seconds: poll the admin view with the host's deadline.</summary>
    private async Task<JsonElement> CaUntilAsync(Func<JsonElement, bool> condition)
    {
        while (true)
        {
            var ca = await CaAsync();
            if (condition(ca))
            {
                return ca;
            }

            await Task.Delay(100, _host.Deadline);
        }
    }

    private async Task<CertifyResponse> CertifyAsync()
    {
        using var channel = GrpcChannel.ForAddress($"http://{_host.App.GrpcEndPoint}");
        return await new Protocol.V1.Identity.IdentityClient(channel).CertifyAsync(
            new CertifyRequest { Csr = ByteString.CopyFrom(Build(Posts)) },
            new Metadata { { "authorization", "Bearer " + PostsToken } },
            deadline: DateTime.UtcNow.AddSeconds(30));
    }

    /// <summary>Which of the two roots signed the leaf: checked by signature, not by name.</summary>
    private string IssuerSha256(CertifyResponse response)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(response.CertificateChain[0].ToByteArray());
        var issuer = new[] { _oldRoot, _newRoot }.Single(root => SignedBy(leaf, root));
        return Sha256(issuer);
    }

    private static bool SignedBy(X509Certificate2 leaf, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        return chain.Build(leaf);
    }

    private static string[] Roots(TrustBundle bundle) =>
        [.. bundle.Roots.Select(r => Convert.ToHexStringLower(SHA256.HashData(r.Span))).Order(StringComparer.Ordinal)];

    private static string[] Sorted(params X509Certificate2[] roots) => [.. roots.Select(Sha256).Order(StringComparer.Ordinal)];

    /// <summary>A sidecar's side of the discovery stream: ACKs every response and keeps the last bundle pushed.</summary>
    private sealed class BundleFollower(AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> call, CancellationToken deadline)
    {
        private TrustBundle? _bundle;

        public async Task<TrustBundle> UntilAsync(Func<TrustBundle, bool> condition)
        {
            while (true)
            {
                Assert.True(await call.ResponseStream.MoveNext(deadline));
                var response = call.ResponseStream.Current;
                _bundle = response.TrustBundle ?? _bundle;
                await call.RequestStream.WriteAsync(new DiscoveryRequest { VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce }, deadline);
                if (_bundle is not null && condition(_bundle))
                {
                    return _bundle;
                }
            }
        }
    }
}

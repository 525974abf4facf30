using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Identity;
using MeshNet.Protocol.V1;
using Microsoft.Extensions.Logging;
using static MeshNet.ControlPlane.Tests.Identity.TestCsr;

namespace MeshNet.ControlPlane.Tests.Identity;

/// <summary>The real composition root: a token from the admin port, then Identity.Certify over real gRPC.</summary>
public sealed class CertifyOverGrpcTests : IAsyncLifetime
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("meshnet-identity-");
    private ControlPlaneApp _app = null!;

    public async Task InitializeAsync() => _app = await StartAsync();

    public async Task DisposeAsync()
    {
        await StopAsync(_app);
        _state.Delete(recursive: true);
    }

    [Fact]
    public async Task Certifies_ACsr_WithATokenFromTheAdminPort()
    {
        var token = await CreateTokenAsync(_app, "blog", "posts");

        var response = await CertifyAsync(_app, new CertifyRequest { Csr = ByteString.CopyFrom(Build()), Token = token });

        Assert.Equal(Posts, response.Identity);
        using var leaf = X509CertificateLoader.LoadCertificate(response.CertificateChain.Single().ToByteArray());
        using var root = X509CertificateLoader.LoadCertificate(response.TrustBundle.Single().ToByteArray());
        Assert.Equal(root.Subject, leaf.Issuer);
        Assert.Equal(response.NotAfter.ToDateTime(), leaf.NotAfter.ToUniversalTime());
        Assert.InRange(leaf.NotAfter.ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task Accepts_TheTokenAsBearerMetadata()
    {
        var token = await CreateTokenAsync(_app, "blog", "posts");

        var response = await CertifyAsync(_app, new CertifyRequest { Csr = ByteString.CopyFrom(Build()) }, new Metadata { { "authorization", "Bearer " + token } });

        Assert.Equal(Posts, response.Identity);
    }

    [Fact]
    public async Task Refuses_AnotherIdentity_AsPermissionDenied_WithTheReason()
    {
        var token = await CreateTokenAsync(_app, "blog", "comments");

        var error = await Assert.ThrowsAsync<RpcException>(() => CertifyAsync(_app, new CertifyRequest { Csr = ByteString.CopyFrom(Build()), Token = token }));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal($"CSR names {Posts} but the join token is for spiffe://cluster.local/ns/blog/sa/comments", error.Status.Detail);
    }

    [Fact]
    public async Task Refuses_ABadCsr_AsInvalidArgument_WithTheReason()
    {
        var token = await CreateTokenAsync(_app, "blog", "posts");
        var csr = Build(customize: r => r.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true)));

        var error = await Assert.ThrowsAsync<RpcException>(() => CertifyAsync(_app, new CertifyRequest { Csr = ByteString.CopyFrom(csr), Token = token }));

        Assert.Equal((StatusCode.InvalidArgument, "CSR requests CA:true; a workload certificate is never a CA"), (error.StatusCode, error.Status.Detail));
    }

    [Fact]
    public async Task Refuses_AnUnknownToken_AndDifferingTokens()
    {
        var token = await CreateTokenAsync(_app, "blog", "posts");
        var csr = ByteString.CopyFrom(Build());

        var unknown = await Assert.ThrowsAsync<RpcException>(() => CertifyAsync(_app, new CertifyRequest { Csr = csr, Token = "mnjt_guess" }));
        var differing = await Assert.ThrowsAsync<RpcException>(
            () => CertifyAsync(_app, new CertifyRequest { Csr = csr, Token = token }, new Metadata { { "authorization", "Bearer mnjt_other" } }));

        Assert.Equal((StatusCode.PermissionDenied, "join token unknown"), (unknown.StatusCode, unknown.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "the token in the request and the Bearer token differ"), (differing.StatusCode, differing.Status.Detail));
    }

    [Fact]
    public async Task Keeps_TheCaAndTokens_AcrossARestart()
    {
        var token = await CreateTokenAsync(_app, "blog", "posts");
        var before = await CertifyAsync(_app, new CertifyRequest { Csr = ByteString.CopyFrom(Build()), Token = token });
        await StopAsync(_app);

        _app = await StartAsync();
        var after = await CertifyAsync(_app, new CertifyRequest { Csr = ByteString.CopyFrom(Build()), Token = token });

        Assert.Equal(before.TrustBundle.Single(), after.TrustBundle.Single());
        Assert.DoesNotContain(token, File.ReadAllText(Path.Combine(_state.FullName, "join-tokens.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Returns_BothRoots_WhileTheTrustAnchorRotates()
    {
        var current = await CertifyAsync(_app, new CertifyRequest { Csr = ByteString.CopyFrom(Build()), Token = await CreateTokenAsync(_app, "blog", "posts") });
        using var next = CertificateAuthorityLoader.GenerateRoot("cluster.local", TimeProvider.System);
        var nextFile = Path.Combine(_state.FullName, "next-root.pem");
        await File.WriteAllTextAsync(nextFile, next.ExportCertificatePem());
        await StopAsync(_app);

        _app = await StartAsync("--ca-bundle-extra", nextFile);
        var rotating = await CertifyAsync(_app, new CertifyRequest { Csr = ByteString.CopyFrom(Build()), Token = await CreateTokenAsync(_app, "blog", "posts") });

        Assert.Equal([current.TrustBundle.Single(), ByteString.CopyFrom(next.RawData)], rotating.TrustBundle);
    }

    [Theory]
    [InlineData("""{"namespace":"Blog","serviceAccount":"posts"}""", "namespace \"Blog\" is not a valid namespace name (RFC 1123 label)")]
    [InlineData("""{"namespace":"blog"}""", "namespace and serviceAccount are required")]
    [InlineData("""{"namespace":"blog","serviceAccount":"posts","ttl":"soon"}""", "ttl: expected a duration with a unit (ms, s, m, h), got \"soon\"")]
    [InlineData("""{"namespace":"blog","serviceAccount":"posts","ttl":"9000h"}""", "ttl must be positive and at most 365 days")]
    public async Task Refuses_ABadTokenRequest_WithTheReason(string body, string message)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };

        using var response = await http.PostAsync("/identity/tokens", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Refuses_ATokenRequest_ThatIsNotJson()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };

        using var response = await http.PostAsync("/identity/tokens", new FormUrlEncodedContent([new("namespace", "blog"), new("serviceAccount", "posts")]));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private async Task<ControlPlaneApp> StartAsync(params string[] more)
    {
        var options = ControlPlaneOptions.Parse(["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--state-dir", _state.FullName, .. more]);
        var app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await app.StartAsync(CancellationToken.None);
        return app;
    }

    private static async Task StopAsync(ControlPlaneApp app)
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }

    private static async Task<string> CreateTokenAsync(ControlPlaneApp app, string ns, string serviceAccount)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{app.AdminEndPoint}") };
        using var response = await http.PostAsJsonAsync("/identity/tokens", new { @namespace = ns, serviceAccount, ttl = "1h" });
        response.EnsureSuccessStatusCode();
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(SpiffeIdOf(ns, serviceAccount), body.GetProperty("identity").GetString());
        return body.GetProperty("token").GetString()!;
    }

    private static string SpiffeIdOf(string ns, string serviceAccount) => $"spiffe://cluster.local/ns/{ns}/sa/{serviceAccount}";

    private static async Task<CertifyResponse> CertifyAsync(ControlPlaneApp app, CertifyRequest request, Metadata? headers = null)
    {
        using var channel = GrpcChannel.ForAddress($"http://{app.GrpcEndPoint}");
        var client = new Protocol.V1.Identity.IdentityClient(channel);
        return await client.CertifyAsync(request, headers, deadline: DateTime.UtcNow.AddSeconds(30));
    }
}

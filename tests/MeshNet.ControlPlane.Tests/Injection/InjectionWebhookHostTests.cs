using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests.Injection;

/// <summary>The real composition root with --webhook on 127.0.0.1:0: HTTPS POSTs as the API server makes them.</summary>
public sealed class InjectionWebhookHostTests : IAsyncLifetime
{
    private ControlPlaneApp _app = null!;
    private HttpClient _webhook = null!;
    private X509Certificate2? _served;

    public async Task InitializeAsync()
    {
        _app = ControlPlaneApp.Create(
            ControlPlaneOptions.Parse(["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--webhook", "127.0.0.1:0"]),
            logging: l => l.ClearProviders());
        await _app.StartAsync(CancellationToken.None);
        var roots = _app.Services.GetRequiredService<CertificateIssuer>().Authority.TrustBundle;
        _webhook = TrustingClient(roots, c => _served = c);
    }

    public async Task DisposeAsync()
    {
        _webhook.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    [Fact]
    public void ReadyLine_NamesTheWebhookPort()
    {
        Assert.EndsWith($" webhook={_app.WebhookEndPoint}", _app.ReadyLine(), StringComparison.Ordinal);
        Assert.NotEqual(0, _app.WebhookEndPoint!.Port);
    }

    [Fact]
    public async Task Injects_OverHttps_WithACertificateFromTheMeshCa_ForTheServiceName()
    {
        using var response = await _webhook.PostAsJsonAsync(Url("/inject"), AdmissionReviews.Annotated("3f1c"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var review = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("3f1c", (string?)review["response"]!["uid"]);
        Assert.Equal("JSONPatch", (string?)review["response"]!["patchType"]);
        var patch = JsonNode.Parse(Convert.FromBase64String((string)review["response"]!["patch"]!))!.AsArray();
        var annotations = patch.Single(op => (string?)op!["path"] == "/metadata/annotations/meshnet.io~1control-plane-ca")!;
        var roots = _app.Services.GetRequiredService<CertificateIssuer>().Authority.TrustBundle;
        Assert.Equal(string.Concat(roots.Select(r => r.ExportCertificatePem() + "\n")), (string?)annotations["value"]);
        Assert.NotNull(_served);
        var names = _served!.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToList();
        Assert.Contains("meshnet-control.meshnet-system.svc", names);
    }

    [Fact]
    public async Task DryRun_OverHttps_ReturnsTheSamePatch()
    {
        using var wet = await _webhook.PostAsJsonAsync(Url("/inject"), AdmissionReviews.Annotated("same"));
        using var dry = await _webhook.PostAsJsonAsync(Url("/inject"), AdmissionReviews.Annotated("same", dryRun: true));

        Assert.Equal(await wet.Content.ReadAsStringAsync(), await dry.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NamespaceEnabledPath_InjectsAnUnannotatedPod()
    {
        using var plain = await _webhook.PostAsJsonAsync(Url("/inject"), AdmissionReviews.Pod("p1"));
        using var enabled = await _webhook.PostAsJsonAsync(Url("/inject/namespace-enabled"), AdmissionReviews.Pod("p2"));

        Assert.Null((await plain.Content.ReadFromJsonAsync<JsonObject>())!["response"]!["patch"]);
        Assert.NotNull((await enabled.Content.ReadFromJsonAsync<JsonObject>())!["response"]!["patch"]);
    }

    [Fact]
    public async Task Refuses_BadJson_With400AndAReview()
    {
        using var content = new StringContent("{\"apiVersion\": ", Encoding.UTF8, "application/json");
        using var response = await _webhook.PostAsync(Url("/inject"), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var review = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False((bool)review["response"]!["allowed"]!);
    }

    [Fact]
    public async Task Refuses_BodiesOverOneMebibyte_With413_AndKeepsServing()
    {
        var huge = AdmissionReviews.Annotated("big");
        huge["request"]!["object"]!["metadata"]!["annotations"]!["padding"] = new string('x', 1024 * 1024);

        using var declared = await _webhook.PostAsJsonAsync(Url("/inject"), huge);
        using var chunked = new HttpRequestMessage(HttpMethod.Post, Url("/inject")) { Content = new ChunkedContent(huge.ToJsonString()) };
        using var streamed = await _webhook.SendAsync(chunked);
        using var after = await _webhook.PostAsJsonAsync(Url("/inject"), AdmissionReviews.Annotated("after"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Answers_OnlyPost_OnlyOnItsPaths()
    {
        using var get = await _webhook.GetAsync(Url("/inject"));
        using var other = await _webhook.PostAsJsonAsync(Url("/debug/services"), new JsonObject());

        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task AdminPort_DoesNotServeTheWebhook()
    {
        using var admin = new HttpClient();

        using var response = await admin.PostAsJsonAsync($"http://{_app.AdminEndPoint}/inject", AdmissionReviews.Annotated("x"));

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WebhookCertFiles_OverrideTheMeshCa()
    {
        var directory = Directory.CreateTempSubdirectory("meshnet-webhook-cert");
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=cert-manager-issued", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
            var certFile = Path.Combine(directory.FullName, "tls.crt");
            var keyFile = Path.Combine(directory.FullName, "tls.key");
            await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
            await using var app = ControlPlaneApp.Create(
                ControlPlaneOptions.Parse(["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--webhook", "127.0.0.1:0", "--webhook-cert", certFile, "--webhook-key", keyFile]),
                logging: l => l.ClearProviders());
            await app.StartAsync(CancellationToken.None);
            X509Certificate2? served = null;
            using var client = TrustingClient([certificate], c => served = c);

            using var response = await client.PostAsJsonAsync($"https://{app.WebhookEndPoint}/inject", AdmissionReviews.Annotated("cm"));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(certificate.Thumbprint, served!.Thumbprint);
            await app.StopAsync(CancellationToken.None);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--webhook-cert", "a.pem", "--webhook", "127.0.0.1:0" }, "--webhook-cert and --webhook-key go together")]
    [InlineData(new[] { "--webhook-configuration", "meshnet" }, "--webhook-cert, --webhook-key and --webhook-configuration need --webhook ADDR:PORT")]
    [InlineData(new[] { "--webhook", "0.0.0.0:15017", "--sidecar-control-plane", "grpc://x" }, "--sidecar-control-plane: expected an http(s) URL, got \"grpc://x\"")]
    [InlineData(new[] { "--proxy-image", "a b" }, "--proxy-image: expected an image reference, got \"a b\"")]
    public void Rejects_InconsistentWebhookFlags(string[] args, string message)
    {
        var error = Assert.Throws<FormatException>(() => ControlPlaneOptions.Parse(args));

        Assert.Equal(message, error.Message);
    }

    private string Url(string path) => $"https://{_app.WebhookEndPoint}{path}";

    /// <summary>Trusts exactly <paramref name="roots"/> and checks the name, as the API server does with caBundle.</summary>
    private static HttpClient TrustingClient(IEnumerable<X509Certificate2> roots, Action<X509Certificate2> seen)
    {
        var trust = new X509Certificate2Collection(roots.ToArray());
        var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            var leaf = new X509Certificate2(certificate);
            seen(leaf);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trust);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(leaf);
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>No Content-Length: the server has to notice the size while reading.</summary>
    private sealed class ChunkedContent(string text) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

// meshnet-control's real composition root in Kubernetes mode against ApiServerDouble (a test double of the Kubernetes
// API server, since none can run here): the mesh CA read from, or generated into, the Secret meshnet-ca.
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Identity;
using MeshNet.Kubernetes.Tests.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static MeshNet.ControlPlane.Tests.Kubernetes.TestCaSecrets;

namespace MeshNet.ControlPlane.Tests.Kubernetes;

public sealed class CaSecretTests : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meshnet-ca-secret-");
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));
    private readonly List<ControlPlaneApp> _apps = [];
    private ApiServerDouble _server = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServerDouble.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }

        await _server.DisposeAsync();
        _deadline.Dispose();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task AbsentSecret_IsCreated_AsAKubernetesTlsSecret_HoldingTheCaInForce()
    {
        var app = await StartAsync();

        var post = Assert.Single(_server.SecretPosts);
        Assert.Equal(("v1", "Secret", "kubernetes.io/tls"), (Text(post, "apiVersion"), Text(post, "kind"), Text(post, "type")));
        Assert.Equal(("meshnet-ca", Namespace), (Text(post["metadata"]!, "name"), Text(post["metadata"]!, "namespace")));
        Assert.Equal(["tls.crt", "tls.key"], post["data"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        using var stored = X509Certificate2.CreateFromPem(Data(post, "tls.crt"), Data(post, "tls.key"));
        var authority = Authority(app);
        Assert.Equal(authority.SignerSha256, Sha256(stored));
        Assert.True(stored.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(authority.SignerSha256, Sha256(authority.TrustBundle.Single()));
    }

    [Fact]
    public async Task GeneratedCa_IsLoggedByItsSecretAndHash_NeverByItsKey()
    {
        var lines = new LineLoggerProvider();

        var app = await StartAsync(lines, []);

        var post = Assert.Single(_server.SecretPosts);
        var keyBody = Data(post, "tls.key").Split('\n')[1];
        Assert.Contains(lines.Lines, l => l.Contains($"kept in Secret {Namespace}/meshnet-ca", StringComparison.Ordinal) && l.Contains(Authority(app).SignerSha256, StringComparison.Ordinal));
        Assert.DoesNotContain(lines.Lines, l => l.Contains("PRIVATE KEY", StringComparison.Ordinal) || l.Contains(keyBody, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PresentSecret_IsUsedAsItIs_AndNothingIsCreated()
    {
        using var root = NewCa("Operator root", issuer: null);
        _server.Apply(Secret(root.ExportCertificatePem(), KeyPem(root)));

        var app = await StartAsync();

        Assert.Equal(Sha256(root), Authority(app).SignerSha256);
        Assert.Empty(_server.SecretPosts);
    }

    [Fact]
    public async Task PresentSecret_WithAnIntermediate_ChainsThroughCaCrt()
    {
        using var root = NewCa("Operator root", issuer: null);
        using var intermediate = NewCa("Operator intermediate", issuer: root);
        _server.Apply(Secret(intermediate.ExportCertificatePem(), KeyPem(intermediate), ca: root.ExportCertificatePem()));

        var authority = Authority(await StartAsync());

        Assert.Equal(Sha256(intermediate), authority.SignerSha256);
        Assert.Equal(Sha256(intermediate), Sha256(authority.Intermediates.Single()));
        Assert.Equal(Sha256(root), Sha256(authority.TrustBundle.Single()));
    }

    [Fact]
    public async Task TwoReplicas_RacingToCreate_BothSignWithTheWinnersCa()
    {
        _server.HoldSecretReadsUntil(2);

        // Each on its own thread, as two pods would be: start-up blocks until the CA is loaded.
        var apps = await Task.WhenAll(Task.Run(() => StartAsync()), Task.Run(() => StartAsync()));

        Assert.Equal(2, _server.SecretPosts.Count);
        var posted = _server.SecretPosts.Select(p => Sha256(X509Certificate2.CreateFromPem(Data(p, "tls.crt")))).ToList();
        Assert.NotEqual(posted[0], posted[1]);
        var stored = _server.Get("Secret", Namespace, "meshnet-ca")!;
        var winner = Sha256(X509Certificate2.CreateFromPem(Data(stored, "tls.crt")));
        Assert.Equal(posted[0], winner);
        Assert.All(apps, app => Assert.Equal(winner, Authority(app).SignerSha256));
        // Two reads that found nothing, and the loser's read of the winner's Secret; each replica's follower polls the
        // Secret 2 s after start, which a slow machine may already have reached.
        Assert.InRange(_server.Requests("GET secrets"), 3, 5);
    }

    [Fact]
    public async Task TwoReplicas_FollowAnEditedSecret_ToTheSameSigner_WithoutTalkingToEachOther()
    {
        using var first = NewCa("First root", issuer: null);
        using var second = NewCa("Second root", issuer: null);
        _server.Apply(Secret(first));
        var apps = new[] { await StartAsync(), await StartAsync() };
        Assert.All(apps, app => Assert.Equal(Sha256(first), Authority(app).SignerSha256));

        _server.Apply(Secret(second));

        // Each replica polls the Secret on its own: wait for both with the test's deadline.
        foreach (var app in apps)
        {
            while (Authority(app).SignerSha256 != Sha256(second))
            {
                await Task.Delay(100, _deadline.Token);
            }
        }

        Assert.Empty(_server.SecretPosts);
    }

    [Fact]
    public async Task SecretName_ComesFromTheFlag()
    {
        var app = await StartAsync("--ca-secret", "corp-mesh-ca");

        Assert.Equal("corp-mesh-ca", Text(Assert.Single(_server.SecretPosts)["metadata"]!, "name"));
        Assert.Equal(Authority(app).SignerSha256, Sha256(X509Certificate2.CreateFromPem(Data(_server.Get("Secret", Namespace, "corp-mesh-ca")!, "tls.crt"))));
    }

    [Theory]
    [InlineData("no-key", "Secret mesh/meshnet-ca: no tls.key in its data (type kubernetes.io/tls): expected a kubernetes.io/tls Secret with tls.crt and tls.key")]
    [InlineData("garbage-cert", "Secret mesh/meshnet-ca: cannot load the CA certificate tls.crt with its key tls.key: ")]
    [InlineData("leaf", "Secret mesh/meshnet-ca: tls.crt: CN=not a ca is not a CA certificate")]
    [InlineData("bad-ca-crt", "Secret mesh/meshnet-ca: ca.crt holds no PEM certificate")]
    public async Task MalformedSecret_FailsStartUp_NamingTheSecretAndTheKey(string defect, string message)
    {
        using var root = NewCa("Operator root", issuer: null);
        _server.Apply(defect switch
        {
            "no-key" => Secret(root.ExportCertificatePem(), key: null),
            "garbage-cert" => Secret("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n", KeyPem(root)),
            "leaf" => LeafSecret(),
            _ => Secret(root.ExportCertificatePem(), KeyPem(root), ca: "not pem at all\n"),
        });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync());

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", error.Message, StringComparison.Ordinal);
        Assert.Empty(_server.SecretPosts);
    }

    private Task<ControlPlaneApp> StartAsync(params string[] extra) => StartAsync(null, extra);

    private async Task<ControlPlaneApp> StartAsync(ILoggerProvider? logs, string[] extra)
    {
        var options = ControlPlaneOptions.Parse(
        [
            "--kubernetes", "--kubeconfig", _server.WriteKubeconfig(_directory.FullName), "--pod-namespace", Namespace,
            "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--debounce-quiet", "1ms", "--debounce-max", "20ms", .. extra,
        ]);
        var app = ControlPlaneApp.Create(options, logging: l =>
        {
            l.ClearProviders();
            if (logs is not null)
            {
                l.AddProvider(logs);
            }
        });
        lock (_apps)
        {
            _apps.Add(app);
        }

        await app.StartListenersAsync(_deadline.Token);
        return app;
    }

    private static CertificateAuthority Authority(ControlPlaneApp app) => app.Services.GetRequiredService<CertificateAuthorityProvider>().Current;

    private static string Text(JsonNode node, string name) => node[name]!.GetValue<string>();

    private static string Data(JsonNode secret, string key) => Encoding.ASCII.GetString(Convert.FromBase64String(secret["data"]![key]!.GetValue<string>()));

    private static string LeafSecret()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=not a ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        using var leaf = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        return Secret(leaf.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Every formatted log line, with its exception, of every category.</summary>
    private sealed class LineLoggerProvider : ILoggerProvider, ILogger
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception) + exception);
            }
        }

        public void Dispose()
        {
        }
    }
}

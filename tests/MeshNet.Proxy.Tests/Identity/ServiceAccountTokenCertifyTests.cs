using System.Collections.Immutable;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Tests.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Tests.Identity;

/// <summary>Kubernetes mode's credential: the projected ServiceAccount token file, sent as the Certify bearer.</summary>
public sealed class ServiceAccountTokenCertifyTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meshnet-satoken-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task SendsTheTokenFile_AsBearer_ReadAfreshOnEveryCall()
    {
        using var ca = new TestCa();
        var bearers = new List<string?>();
        await using var server = await BearerServer.StartAsync(ca, bearers);
        var file = Path.Combine(_directory.FullName, "token");
        await File.WriteAllTextAsync(file, "eyJhbGciOiJSUzI1NiJ9.first.sig\n");
        var options = new ProxyOptions { ControlPlane = server.Address, ServiceAccountTokenFile = file, Labels = ImmutableDictionary<string, string>.Empty };
        using var certifier = new GrpcCertifier(options, TimeProvider.System);
        using var key = CsrBuilder.NewKey();
        var csr = CsrBuilder.Build(key, new SpiffeId("cluster.local", "blog", "posts"));

        await certifier.CertifyAsync(csr, CancellationToken.None);
        // The kubelet rotates the projected token by replacing the file.
        await File.WriteAllTextAsync(file, "eyJhbGciOiJSUzI1NiJ9.second.sig");
        await certifier.CertifyAsync(csr, CancellationToken.None);

        Assert.Equal(["Bearer eyJhbGciOiJSUzI1NiJ9.first.sig", "Bearer eyJhbGciOiJSUzI1NiJ9.second.sig"], bearers);
    }

    [Fact]
    public void CommandLine_TakesTheTokenFile_AndEnablesIdentity()
    {
        var options = ProxyCommandLine.Parse(["--service-account-token-file", "/run/token"], out var error, out _);

        Assert.Null(error);
        Assert.Equal("/run/token", options!.ServiceAccountTokenFile);
        Assert.True(options.HasIdentityCredential);
    }

    [Fact]
    public void CommandLine_RefusesTheTokenFile_OverPlaintextOffThisHost()
    {
        var options = ProxyCommandLine.Parse(["--service-account-token-file", "/run/token", "--control-plane", "http://10.0.0.5:15010"], out var error, out _);

        Assert.Null(options);
        Assert.StartsWith("refusing to send", error, StringComparison.Ordinal);
    }

    private sealed class BearerServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private BearerServer(WebApplication app) => _app = app;

        public Uri Address => new(_app.Urls.First());

        public static async Task<BearerServer> StartAsync(TestCa ca, List<string?> bearers)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(new RecordingIdentityService(ca, bearers));
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
            var app = builder.Build();
            app.MapGrpcService<RecordingIdentityService>();
            await app.StartAsync();
            return new BearerServer(app);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed class RecordingIdentityService(TestCa ca, List<string?> bearers) : MeshNet.Protocol.V1.Identity.IdentityBase
    {
        public override Task<CertifyResponse> Certify(CertifyRequest request, ServerCallContext context)
        {
            lock (bearers)
            {
                bearers.Add(context.RequestHeaders.GetValue("authorization"));
            }

            Assert.Empty(request.Token);
            var now = DateTimeOffset.UtcNow;
            using var leaf = ca.SignCsr(request.Csr.ToByteArray(), now.AddMinutes(-1), now.AddHours(1));
            var response = new CertifyResponse { Identity = "spiffe://cluster.local/ns/blog/sa/posts" };
            response.CertificateChain.Add(ByteString.CopyFrom(leaf.RawData));
            response.TrustBundle.Add(ByteString.CopyFrom(ca.Root.RawData));
            return Task.FromResult(response);
        }
    }
}

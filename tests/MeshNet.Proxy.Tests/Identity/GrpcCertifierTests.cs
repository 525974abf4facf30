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

/// <summary>The Certify client against a real gRPC server that implements identity.proto with a test CA.</summary>
public sealed class GrpcCertifierTests
{
    [Fact]
    public async Task Certifies_OverGrpc_WithTheJoinToken()
    {
        using var ca = new TestCa();
        await using var server = await IdentityServer.StartAsync(ca, "good-token");
        using var certifier = new GrpcCertifier(Options(server.Address, "good-token"), TimeProvider.System);
        using var key = CsrBuilder.NewKey();
        var id = new SpiffeId("cluster.local", "blog", "posts");

        var issued = await certifier.CertifyAsync(CsrBuilder.Build(key, id), CancellationToken.None);
        var certificate = MeshCertificate.Create(id, key, issued);

        Assert.Equal(id, certificate.Id);
        Assert.True(certificate.Leaf.HasPrivateKey);
        Assert.Equal(ca.Root.Thumbprint, Assert.Single(certificate.TrustBundle).Thumbprint);
    }

    [Fact]
    public async Task Reports_ARefusal_WithTheControlPlanesReason()
    {
        using var ca = new TestCa();
        await using var server = await IdentityServer.StartAsync(ca, "good-token");
        using var certifier = new GrpcCertifier(Options(server.Address, "stale-token"), TimeProvider.System);
        using var key = CsrBuilder.NewKey();

        var refused = await Assert.ThrowsAsync<CertifyRefusedException>(() => certifier.CertifyAsync(CsrBuilder.Build(key, new SpiffeId("cluster.local", "blog", "posts")), CancellationToken.None));

        Assert.Equal("PermissionDenied: unknown join token", refused.Message);
    }

    [Fact]
    public async Task Reports_AnUnreachableControlPlane_AsTransportTrouble()
    {
        using var ca = new TestCa();
        var server = await IdentityServer.StartAsync(ca, "good-token");
        var address = server.Address;
        await server.DisposeAsync();
        using var certifier = new GrpcCertifier(Options(address, "good-token"), TimeProvider.System);
        using var key = CsrBuilder.NewKey();

        var failure = await Assert.ThrowsAsync<RpcException>(() => certifier.CertifyAsync(CsrBuilder.Build(key, new SpiffeId("cluster.local", "blog", "posts")), CancellationToken.None));

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
    }

    private static ProxyOptions Options(Uri controlPlane, string token) => new()
    {
        ControlPlane = controlPlane,
        JoinToken = token,
        Labels = ImmutableDictionary<string, string>.Empty,
    };

    private sealed class IdentityServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private IdentityServer(WebApplication app) => _app = app;

        public Uri Address => new(_app.Urls.First());

        public static async Task<IdentityServer> StartAsync(TestCa ca, string token)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(new TestIdentityService(ca, token));
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
            var app = builder.Build();
            app.MapGrpcService<TestIdentityService>();
            await app.StartAsync();
            return new IdentityServer(app);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed class TestIdentityService(TestCa ca, string token) : MeshNet.Protocol.V1.Identity.IdentityBase
    {
        public override Task<CertifyResponse> Certify(CertifyRequest request, ServerCallContext context)
        {
            if (request.Token != token)
            {
                throw new RpcException(new Status(StatusCode.PermissionDenied, "unknown join token"));
            }

            var now = DateTimeOffset.UtcNow;
            using var leaf = ca.SignCsr(request.Csr.ToByteArray(), now.AddMinutes(-1), now.AddHours(1));
            var response = new CertifyResponse { Identity = "spiffe://cluster.local/ns/blog/sa/posts" };
            response.CertificateChain.Add(ByteString.CopyFrom(leaf.RawData));
            response.TrustBundle.Add(ByteString.CopyFrom(ca.Root.RawData));
            return Task.FromResult(response);
        }
    }
}

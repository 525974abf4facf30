using System.Net;
using System.Net.NetworkInformation;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Net.Client;
using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Identity;
using MeshNet.Protocol.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests.Transport;

/// <summary>A real control plane (in process, real Kestrel) with a state directory, and clients for its gRPC port.</summary>
internal sealed class TransportHarness : IAsyncDisposable
{
    private readonly DirectoryInfo _state;

    private TransportHarness(ControlPlaneApp app, DirectoryInfo state)
    {
        App = app;
        _state = state;
    }

    public ControlPlaneApp App { get; }

    public string StateDirectory => _state.FullName;

    public string BundlePath => Path.Combine(_state.FullName, "ca-bundle.pem");

    public int GrpcPort => App.GrpcEndPoint.Port;

    /// <param name="grpc">Listen address; 0.0.0.0:0 puts every interface address in the serving certificate.</param>
    public static async Task<TransportHarness> StartAsync(string grpc = "127.0.0.1:0", params string[] more)
    {
        var state = Directory.CreateTempSubdirectory("meshnet-transport-");
        var options = ControlPlaneOptions.Parse(["--grpc", grpc, "--admin", "127.0.0.1:0", "--state-dir", state.FullName, .. more]);
        var app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await app.StartAsync(CancellationToken.None);
        return new TransportHarness(app, state);
    }

    public string Token(string ns = "blog", string serviceAccount = "posts") =>
        App.Services.GetRequiredService<JoinTokenStore>().Issue(ns, serviceAccount, TimeSpan.FromHours(1)).Token;

    /// <summary>An http:// (h2c) or https:// channel; https trusts exactly the bundle file's roots and checks the name.</summary>
    public GrpcChannel Channel(string scheme, IPAddress address, string? bundlePath = null)
    {
        var handler = new SocketsHttpHandler { UseProxy = false };
        if (scheme == "https")
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(bundlePath ?? BundlePath);
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, c, _, e) => Trusted(c, e, roots) };
        }

        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return GrpcChannel.ForAddress($"{scheme}://{host}:{GrpcPort}", new GrpcChannelOptions { HttpHandler = handler });
    }

    public static async Task<CertifyResponse> CertifyAsync(GrpcChannel channel, string token) =>
        await new Protocol.V1.Identity.IdentityClient(channel).CertifyAsync(
            new CertifyRequest { Csr = ByteString.CopyFrom(Identity.TestCsr.Build()), Token = token },
            deadline: DateTime.UtcNow.AddSeconds(30));

    /// <summary>Opens a discovery stream as a sidecar would and returns the first response's version.</summary>
    public static async Task<string> FirstDiscoveryVersionAsync(GrpcChannel channel)
    {
        using var call = new Protocol.V1.Discovery.DiscoveryClient(channel).Stream(deadline: DateTime.UtcNow.AddSeconds(30));
        await call.RequestStream.WriteAsync(new DiscoveryRequest
        {
            Node = new Node { Name = "probe-0", Namespace = "blog", ServiceAccount = "posts", Address = "127.0.0.1", InboundPort = 15006 },
        });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await call.RequestStream.CompleteAsync();
        return call.ResponseStream.Current.VersionInfo;
    }

    /// <summary>An IPv4 address of an interface that is up and not loopback, or null on a machine without one.</summary>
    public static IPAddress? NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    private static bool Trusted(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (presented is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        _state.Delete(recursive: true);
    }
}

using System.Net;
using Grpc.Core;

namespace MeshNet.ControlPlane.Tests.Transport;

/// <summary>TLS and plaintext on the real gRPC port: what each may do, from loopback and from a LAN address.</summary>
public sealed class GrpcTransportTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Serves_TlsAndPlaintext_OnOnePort_WithTheBundleInTheStateDirectory()
    {
        await using var cp = await TransportHarness.StartAsync();
        using var tls = cp.Channel("https", IPAddress.Loopback);
        using var plain = cp.Channel("http", IPAddress.Loopback);

        var overTls = await TransportHarness.CertifyAsync(tls, cp.Token());
        var overPlaintext = await TransportHarness.CertifyAsync(plain, cp.Token());

        Assert.Equal("spiffe://cluster.local/ns/blog/sa/posts", overTls.Identity);
        Assert.Equal(overTls.TrustBundle, overPlaintext.TrustBundle);
        Assert.Contains("-----BEGIN CERTIFICATE-----", await File.ReadAllTextAsync(cp.BundlePath), StringComparison.Ordinal);
        Assert.NotEmpty(await TransportHarness.FirstDiscoveryVersionAsync(plain));
        Assert.NotEmpty(await TransportHarness.FirstDiscoveryVersionAsync(tls));
    }

    [Fact]
    public async Task Refuses_PlaintextCertify_FromANonLoopbackAddress_ButServesItsDiscovery_AndTlsFromThere()
    {
        if (TransportHarness.NonLoopbackAddress() is not { } lan)
        {
            output.WriteLine("skipped: this machine has no non-loopback IPv4 address to connect from");
            return;
        }

        await using var cp = await TransportHarness.StartAsync("0.0.0.0:0");
        using var plain = cp.Channel("http", lan);
        using var tls = cp.Channel("https", lan);

        var refused = await Assert.ThrowsAsync<RpcException>(() => TransportHarness.CertifyAsync(plain, cp.Token()));
        var certified = await TransportHarness.CertifyAsync(tls, cp.Token());

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal(
            $"Certify over plaintext from the non-loopback peer {lan}: use TLS (an https:// control-plane URL and its CA bundle, --control-plane-ca)",
            refused.Status.Detail);
        Assert.Equal("spiffe://cluster.local/ns/blog/sa/posts", certified.Identity);
        Assert.NotEmpty(await TransportHarness.FirstDiscoveryVersionAsync(plain));
    }

    [Fact]
    public async Task Accepts_PlaintextCertify_FromAnIpv4MappedLoopbackPeer()
    {
        // A dual-stack listener reports an IPv4 peer as ::ffff:127.0.0.1: still loopback.
        await using var cp = await TransportHarness.StartAsync("[::]:0");
        using var plain = cp.Channel("http", IPAddress.Loopback);

        var certified = await TransportHarness.CertifyAsync(plain, cp.Token());

        Assert.Equal("spiffe://cluster.local/ns/blog/sa/posts", certified.Identity);
    }

    [Fact]
    public async Task Closes_EveryPlaintextConnection_WithGrpcPlaintextNone()
    {
        await using var cp = await TransportHarness.StartAsync("127.0.0.1:0", "--grpc-plaintext", "none");
        using var plain = cp.Channel("http", IPAddress.Loopback);
        using var tls = cp.Channel("https", IPAddress.Loopback);

        var closed = await Record.ExceptionAsync(() => TransportHarness.FirstDiscoveryVersionAsync(plain));

        // The server closes the connection at its first byte. Depending on whether the client was still writing its
        // request or already reading, gRPC reports Unavailable or the write throws the transport's reset as it is.
        Assert.True(
            closed is RpcException { StatusCode: StatusCode.Unavailable } or IOException,
            $"expected the plaintext connection to be closed, got {closed?.GetType().Name ?? "a discovery response"}: {closed?.Message}");
        Assert.NotEmpty(await TransportHarness.FirstDiscoveryVersionAsync(tls));
    }

    [Fact]
    public async Task Accepts_PlaintextCertify_FromAnywhere_WithGrpcPlaintextAny()
    {
        if (TransportHarness.NonLoopbackAddress() is not { } lan)
        {
            output.WriteLine("skipped: this machine has no non-loopback IPv4 address to connect from");
            return;
        }

        await using var cp = await TransportHarness.StartAsync("0.0.0.0:0", "--grpc-plaintext", "any");
        using var plain = cp.Channel("http", lan);

        var certified = await TransportHarness.CertifyAsync(plain, cp.Token());

        Assert.Equal("spiffe://cluster.local/ns/blog/sa/posts", certified.Identity);
    }

    [Fact]
    public async Task Refuses_AClient_WhoseBundleIsAnotherCa()
    {
        await using var cp = await TransportHarness.StartAsync();
        await using var other = await TransportHarness.StartAsync();
        using var tls = cp.Channel("https", IPAddress.Loopback, other.BundlePath);

        var refused = await Assert.ThrowsAsync<RpcException>(() => TransportHarness.CertifyAsync(tls, cp.Token()));

        Assert.Contains("The SSL connection could not be established", refused.Status.Detail, StringComparison.Ordinal);
    }
}

using System.Net;
using MeshNet.ControlPlane.Transport;

namespace MeshNet.ControlPlane.Tests.Transport;

/// <summary>What counts as loopback for a join token over plaintext: the peer's and the local address, not the interface.</summary>
public sealed class CertifyTransportGuardTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("127.0.1.7", "127.0.0.1")]
    [InlineData("::1", "::1")]
    [InlineData("::ffff:127.0.0.1", "::ffff:127.0.0.1")]
    public void Allows_PlaintextCertify_BetweenLoopbackAddresses(string remote, string local) =>
        Assert.Null(CertifyTransportGuard.Refusal(PlaintextPolicy.Loopback, tls: false, IPAddress.Parse(remote), IPAddress.Parse(local)));

    [Theory]
    [InlineData("192.0.2.2", "192.0.2.2")] // the host's own LAN address: never leaves the machine, still not loopback
    [InlineData("10.200.0.5", "10.200.0.1")] // a pod over a veth
    [InlineData("::ffff:10.200.0.5", "::ffff:10.200.0.1")]
    [InlineData("fd00::2", "fd00::2")]
    [InlineData("127.0.0.1", "10.200.0.1")] // a loopback source on a non-loopback local address: forged or NATed
    public void Refuses_PlaintextCertify_FromAnythingElse(string remote, string local) =>
        Assert.StartsWith(
            $"Certify over plaintext from the non-loopback peer {remote}: use TLS",
            CertifyTransportGuard.Refusal(PlaintextPolicy.Loopback, tls: false, IPAddress.Parse(remote), IPAddress.Parse(local)),
            StringComparison.Ordinal);

    [Theory]
    [InlineData("loopback", true, "10.200.0.5", true)]
    [InlineData("any", false, "10.200.0.5", true)]
    [InlineData("none", false, "127.0.0.1", false)]
    [InlineData("none", true, "10.200.0.5", true)]
    public void Applies_ThePlaintextPolicy(string policy, bool tls, string remote, bool allowed) =>
        Assert.Equal(allowed, CertifyTransportGuard.Refusal(GrpcTransportOptions.ParsePlaintext("--grpc-plaintext", policy), tls, IPAddress.Parse(remote), IPAddress.Parse(remote)) is null);

    [Fact]
    public void Refuses_AnUnknownPeer() =>
        Assert.NotNull(CertifyTransportGuard.Refusal(PlaintextPolicy.Loopback, tls: false, remote: null, local: null));
}

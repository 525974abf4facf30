using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Tests.Tls;
using MeshNet.Proxy.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshNet.Proxy.Tests.Identity;

/// <summary>Roots pushed over discovery: checked before they are taken, then used for every peer whatever leaf this sidecar holds.</summary>
public sealed class PushedTrustBundleTests
{
    private const string PeerId = "spiffe://cluster.local/ns/blog/sa/frontend";

    [Fact]
    public void APushedRoot_IsTrustedAtOnce_AndStaysTrustedAcrossARenewal()
    {
        using var oldCa = new TestCa("Old Root");
        using var newCa = new TestCa("New Root");
        var store = new CertificateStore(SignerRotationTests.Options());
        store.Set(Certify(store, oldCa));
        var validator = new PeerCertificateValidator(store, new PeerRefusals(), TimeProvider.System, NullLogger<PeerCertificateValidator>.Instance);
        using var peer = newCa.Issue(PeerId);

        Assert.Null(validator.Validate(peer, null, null, "client", out var before));
        Assert.Equal(PeerRejection.UnknownAuthority, before);

        store.SetPushedTrustBundle([X509CertificateLoader.LoadCertificate(oldCa.Root.RawData), X509CertificateLoader.LoadCertificate(newCa.Root.RawData)]);
        Assert.Equal(PeerId, validator.Validate(peer, null, null, "client", out _)?.ToString());

        // A renewal whose Certify reply still names only the old root does not undo the push.
        store.Set(Certify(store, oldCa));
        Assert.Equal(PeerId, validator.Validate(peer, null, null, "client", out _)?.ToString());
        Assert.Equal(["CN=Old Root", "CN=New Root"], store.Current!.TrustBundle.Select(c => c.Subject));
    }

    [Fact]
    public void DroppingARoot_RefusesItsPeers_FromTheNextHandshake()
    {
        using var oldCa = new TestCa("Old Root");
        using var newCa = new TestCa("New Root");
        var store = new CertificateStore(SignerRotationTests.Options());
        store.Set(Certify(store, newCa, oldCa));
        var validator = new PeerCertificateValidator(store, new PeerRefusals(), TimeProvider.System, NullLogger<PeerCertificateValidator>.Instance);
        using var oldPeer = oldCa.Issue(PeerId);
        Assert.NotNull(validator.Validate(oldPeer, null, null, "server", out _));

        store.SetPushedTrustBundle([X509CertificateLoader.LoadCertificate(newCa.Root.RawData)]);

        Assert.Null(validator.Validate(oldPeer, null, null, "server", out var reason));
        Assert.Equal(PeerRejection.UnknownAuthority, reason);
    }

    [Theory]
    [InlineData(0, "", "trust_bundle has no roots")]
    [InlineData(1, "", "trust_bundle.roots[0] is not a DER certificate: ")]
    [InlineData(2, "ABC", "trust_bundle.signer_sha256 \"ABC\" is not 64 lower-case hex digits")]
    public void Rejects_AnUnusableBundle_AsANack(int kind, string signer, string error)
    {
        using var ca = new TestCa();
        var bundle = new TrustBundle { SignerSha256 = signer };
        if (kind == 1)
        {
            bundle.Roots.Add(ByteString.CopyFromUtf8("junk"));
        }
        else if (kind == 2)
        {
            bundle.Roots.Add(ByteString.CopyFrom(ca.Root.RawData));
        }

        var next = SnapshotUpdater.TryApply(ProxySnapshot.Empty, new DiscoveryResponse { VersionInfo = "1", FullState = true, TrustBundle = bundle }, out var reason);

        Assert.Null(next);
        Assert.StartsWith(error, reason);
    }

    [Fact]
    public void ABundle_IsKeptUntilAnotherIsPushed_AlsoAcrossAFullStateWithoutOne()
    {
        using var ca = new TestCa();
        var bundle = new TrustBundle { SignerSha256 = new string('a', 64) };
        bundle.Roots.Add(ByteString.CopyFrom(ca.Root.RawData));
        var first = SnapshotUpdater.TryApply(ProxySnapshot.Empty, new DiscoveryResponse { VersionInfo = "1", FullState = true, TrustBundle = bundle }, out _);

        var delta = SnapshotUpdater.TryApply(first!, new DiscoveryResponse { VersionInfo = "2" }, out _);
        var full = SnapshotUpdater.TryApply(delta!, new DiscoveryResponse { VersionInfo = "3", FullState = true }, out _);

        Assert.Equal(bundle, delta!.TrustBundle);
        Assert.Equal(bundle, full!.TrustBundle);
        Assert.Equal(bundle, full.ToFullState().TrustBundle);
    }

    private static MeshCertificate Certify(CertificateStore store, TestCa ca, params TestCa[] more)
    {
        // Not disposed: the leaf keeps using it, as the renewer's leaves do.
        var key = CsrBuilder.NewKey();
        using var leaf = ca.SignCsr(CsrBuilder.Build(key, store.Identity), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        return MeshCertificate.Create(store.Identity, key, new IssuedCertificate([leaf.RawData], [ca.Root.RawData, .. more.Select(m => m.Root.RawData)]));
    }
}

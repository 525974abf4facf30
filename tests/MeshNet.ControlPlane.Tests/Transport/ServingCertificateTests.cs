using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MeshNet.ControlPlane.Identity;
using MeshNet.ControlPlane.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.ControlPlane.Tests.Transport;

/// <summary>The gRPC port's certificate: its names, renewal at half-life and re-issue under a new CA, on a fake clock.</summary>
public sealed class ServingCertificateTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly CertificateAuthority _first;
    private CertificateAuthority _current;

    public ServingCertificateTests()
    {
        _first = Authority();
        _current = _first;
    }

    [Fact]
    public void Names_TheControlPlane_ByDnsIpAndSpiffeId()
    {
        var serving = Serving(new GrpcTransportOptions(PlaintextPolicy.Loopback, "mesh", ["cp.example.org", "10.1.2.3"]), IPAddress.Parse("192.0.2.9"));

        var leaf = serving.Current.Leaf;

        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(
            ["localhost", "meshnet-control", "meshnet-control.mesh", "meshnet-control.mesh.svc", "meshnet-control.mesh.svc.cluster.local", "cp.example.org"],
            san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("192.0.2.9"), IPAddress.Parse("10.1.2.3")], san.EnumerateIPAddresses());
        Assert.Equal(["spiffe://cluster.local/ns/mesh/sa/meshnet-control"], Identity.SpiffeIdsOf(leaf).ToArray());
        Assert.True(Chains(leaf, _first));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(24), new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
    }

    [Fact]
    public void Renews_AtHalfItsLifetime()
    {
        var serving = Serving();
        var first = serving.Current;

        _time.Advance(TimeSpan.FromHours(12) - TimeSpan.FromMinutes(1));
        var beforeHalf = serving.Current;
        _time.Advance(TimeSpan.FromMinutes(2));
        var afterHalf = serving.Current;

        Assert.Same(first, beforeHalf);
        Assert.NotSame(first, afterHalf);
        Assert.NotEqual(first.Leaf.SerialNumber, afterHalf.Leaf.SerialNumber);
        Assert.True(afterHalf.Leaf.NotAfter > first.Leaf.NotAfter);
    }

    [Fact]
    public void Reissues_AtOnce_UnderANewCa()
    {
        var serving = Serving();
        var before = serving.Current;
        using var next = Authority();

        _current = next;
        var after = serving.Current;

        Assert.True(Chains(before.Leaf, _first));
        Assert.True(Chains(after.Leaf, next));
        Assert.False(Chains(after.Leaf, _first));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Writes_TheBundleFile_OnlyWhenTheRootsChange()
    {
        var directory = Directory.CreateTempSubdirectory("meshnet-bundle-");
        try
        {
            var file = new CaBundleFile(Path.Combine(directory.FullName, GrpcTransportOptions.BundleFileName));
            using var next = Authority();

            var first = file.Write(_first.TrustBundle);
            var again = file.Write(_first.TrustBundle);
            var rotated = file.Write([.. _first.TrustBundle, .. next.TrustBundle]);

            Assert.Equal((true, false, true), (first, again, rotated));
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(file.Path);
            Assert.Equal([_first.Signer.Thumbprint, next.Signer.Thumbprint], roots.Select(r => r.Thumbprint));
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                File.GetUnixFileMode(file.Path));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private ServingCertificate Serving(GrpcTransportOptions? options = null, IPAddress? listen = null) => new(
        () => _current,
        IdentityOptions.Default,
        options ?? new GrpcTransportOptions(PlaintextPolicy.Loopback, "meshnet-system", []),
        "cluster.local",
        listen ?? IPAddress.Loopback,
        _time,
        NullLogger<ServingCertificate>.Instance);

    private CertificateAuthority Authority()
    {
        var root = CertificateAuthorityLoader.GenerateRoot("cluster.local", _time);
        return new CertificateAuthority(root, [], [X509CertificateLoader.LoadCertificate(root.RawData)]);
    }

    private bool Chains(X509Certificate2 leaf, CertificateAuthority authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authority.TrustBundle.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        return chain.Build(leaf);
    }

    public void Dispose() => _first.Dispose();

    private static class Identity
    {
        public static ImmutableArray<string> SpiffeIdsOf(X509Certificate2 leaf) =>
            [.. SubjectAltNames.Read(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().RawData)
                .Where(n => n.Kind == SubjectAltNames.Kind.Uri)
                .Select(n => System.Text.Encoding.ASCII.GetString(n.Value))];
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshNet.ControlPlane.Identity;
using static MeshNet.ControlPlane.Tests.Identity.TestCsr;

namespace MeshNet.ControlPlane.Tests.Identity;

/// <summary>What a good CSR turns into: a short-lived SPIFFE leaf that chains to the trust bundle and nothing more.</summary>
public sealed class IssuedLeafTests : IDisposable
{
    private readonly IdentityFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Issues_ALeaf_ThatChainsToTheTrustBundle()
    {
        using var leaf = Issue();

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = IdentityFixture.Start.UtcDateTime;
        chain.ChainPolicy.CustomTrustStore.AddRange(_fixture.Authority.TrustBundle.ToArray());

        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(_fixture.Authority.TrustBundle.Single().Thumbprint, chain.ChainElements[^1].Certificate.Thumbprint);
    }

    [Fact]
    public void Carries_ExactlyTheUriSan_AsItsOnlyName()
    {
        using var leaf = Issue();

        var san = leaf.Extensions["2.5.29.17"]!;
        var names = SubjectAltNames.Read(san.RawData);
        var (kind, value) = Assert.Single(names);
        Assert.Equal((SubjectAltNames.Kind.Uri, Posts), (kind, System.Text.Encoding.ASCII.GetString(value)));
        Assert.True(san.Critical);
        Assert.Equal([0x30, 0x00], leaf.SubjectName.RawData);
    }

    [Fact]
    public void Lives_TheConfiguredTtl_BackdatedAMinute()
    {
        using var leaf = Issue();

        Assert.Equal(IdentityFixture.Start - TimeSpan.FromMinutes(1), new DateTimeOffset(leaf.NotBefore.ToUniversalTime()));
        Assert.Equal(IdentityFixture.Start + TimeSpan.FromHours(24), new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
    }

    [Theory]
    [InlineData(10, 10)]
    [InlineData(48 * 60, 24 * 60)]
    public void Honours_AShorterRequestedTtl_AndCapsALongerOne(int requestedMinutes, int expectedMinutes)
    {
        using var leaf = Issue(TimeSpan.FromMinutes(requestedMinutes));

        Assert.Equal(IdentityFixture.Start + TimeSpan.FromMinutes(expectedMinutes), new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
    }

    [Fact]
    public void Is_ALeafForTlsClientsAndServers_AndNotACa()
    {
        using var leaf = Issue();

        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement,
            leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal(
            ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
            leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value!).Order());
        Assert.Equal(
            _fixture.Authority.Signer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier,
            Convert.ToHexString(leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.Span));
    }

    [Fact]
    public void Uses_ARandomSixteenByteSerial_PerLeaf()
    {
        using var first = Issue();
        using var second = Issue();

        Assert.Equal(16, first.SerialNumberBytes.Length);
        Assert.Equal(16, second.SerialNumberBytes.Length);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
    }

    [Fact]
    public void Certifies_TheCsrsOwnKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var outcome = _fixture.Issuer.Certify(Build(key: key), _fixture.PostsToken, null);

        using var leaf = outcome.Leaf!;
        using var leafKey = leaf.GetECDsaPublicKey()!;
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), leafKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void Openssl_Shows_TheUriSanAndBothExtendedKeyUsages()
    {
        using var leaf = Issue();
        var directory = Directory.CreateTempSubdirectory("meshnet-leaf-");
        try
        {
            var leafPath = Path.Combine(directory.FullName, "leaf.pem");
            var rootPath = Path.Combine(directory.FullName, "root.pem");
            File.WriteAllText(leafPath, leaf.ExportCertificatePem());
            File.WriteAllText(rootPath, _fixture.Authority.TrustBundle.Single().ExportCertificatePem());

            var text = Openssl("x509", "-in", leafPath, "-noout", "-text");

            Assert.Contains("URI:" + Posts, text, StringComparison.Ordinal);
            Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", text, StringComparison.Ordinal);
            Assert.Contains("CA:FALSE", text, StringComparison.Ordinal);
            Assert.Contains("Digital Signature, Key Agreement", text, StringComparison.Ordinal);
            Assert.Contains("Public Key Algorithm: id-ecPublicKey", text, StringComparison.Ordinal);
            var attime = (IdentityFixture.Start + TimeSpan.FromMinutes(5)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var purpose in new[] { "sslserver", "sslclient" })
            {
                Assert.Equal($"{leafPath}: OK", Openssl("verify", "-attime", attime, "-purpose", purpose, "-CAfile", rootPath, leafPath).Trim());
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Signs_ACsrMadeByOpenssl()
    {
        var directory = Directory.CreateTempSubdirectory("meshnet-csr-");
        try
        {
            var csrPath = Path.Combine(directory.FullName, "req.der");
            Openssl(
                "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", Path.Combine(directory.FullName, "key.pem"),
                "-subj", "/O=blog", "-addext", "subjectAltName=URI:" + Posts, "-addext", "extendedKeyUsage=serverAuth,clientAuth",
                "-outform", "DER", "-out", csrPath);

            var outcome = _fixture.Issuer.Certify(File.ReadAllBytes(csrPath), _fixture.PostsToken, null);

            Assert.Null(outcome.Refusal);
            outcome.Leaf!.Dispose();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private X509Certificate2 Issue(TimeSpan? ttl = null)
    {
        var outcome = _fixture.Issuer.Certify(Build(), _fixture.PostsToken, ttl);
        Assert.Null(outcome.Refusal);
        return outcome.Leaf!;
    }

    internal static string Openssl(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', args)} exited {process.ExitCode}: {error}");
        return output.Result;
    }
}

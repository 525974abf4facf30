using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshNet.ControlPlane.Identity;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Protocol.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.ControlPlane.Tests.Identity;

/// <summary>
/// The CA's files reloaded while running, phase by phase of a trust-anchor rotation, and the inputs a reload must
/// refuse while the last good CA stays in force.
/// </summary>
public sealed class CaReloadTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meshnet-ca-reload-");
    private readonly FakeTimeProvider _time = new(IdentityFixture.Start);
    private readonly MeshChangeTracker _tracker;
    private readonly List<TrustBundle> _pushed = [];
    private readonly (X509Certificate2 Cert, ECDsa Key) _old = Root("CN=Old Root");
    private readonly (X509Certificate2 Cert, ECDsa Key) _new = Root("CN=New Root");
    private readonly IdentityOptions _options;
    private readonly CertificateAuthorityProvider _provider;
    private readonly CertificateAuthorityReloader _reloader;

    public CaReloadTests()
    {
        _tracker = new MeshChangeTracker(_time);
        _options = IdentityOptions.Default with
        {
            CaCertFile = Path.Combine(_directory.FullName, "ca.crt"),
            CaKeyFile = Path.Combine(_directory.FullName, "ca.key"),
            CaBundleExtraFile = Path.Combine(_directory.FullName, "extra.pem"),
        };
        WriteCa(_old);
        File.WriteAllText(_options.CaBundleExtraFile!, string.Empty);
        _provider = new CertificateAuthorityProvider(CertificateAuthorityLoader.Load(_options, null, _time, NullLogger.Instance), _time);
        _provider.SubscribeTrustBundle(_pushed.Add);
        _reloader = new CertificateAuthorityReloader(_provider, _options, null, _tracker, _time, NullLogger<CertificateAuthorityReloader>.Instance);
    }

    [Fact]
    public void Rotates_InThreePhases_PushingEachBundleAndSigner()
    {
        var oldSigner = Sha256(_old.Cert);
        Assert.Equal([Sha256(_old.Cert)], Roots(Assert.Single(_pushed)));

        // Phase 1: both roots in the bundle, still signed by the old one.
        File.WriteAllText(_options.CaBundleExtraFile!, _old.Cert.ExportCertificatePem() + "\n" + _new.Cert.ExportCertificatePem());
        Assert.Null(_reloader.Reload());
        Assert.Equal([Sha256(_old.Cert), Sha256(_new.Cert)], Roots(_pushed[^1]));
        Assert.Equal(oldSigner, _pushed[^1].SignerSha256);

        // Phase 2: the new root signs; the old one stays trusted through the extra file.
        WriteCa(_new);
        Assert.Null(_reloader.Reload());
        Assert.Equal(Sha256(_new.Cert), _pushed[^1].SignerSha256);
        Assert.Equal([Sha256(_new.Cert), Sha256(_old.Cert)], Roots(_pushed[^1]));
        Assert.Equal(Sha256(_new.Cert), _provider.Current.SignerSha256);

        // Phase 3: the extra file emptied, the old root is gone.
        File.WriteAllText(_options.CaBundleExtraFile!, "\n");
        Assert.Null(_reloader.Reload());
        Assert.Equal([Sha256(_new.Cert)], Roots(_pushed[^1]));
        Assert.Equal(4, _pushed.Count);
    }

    [Fact]
    public void AReloadThatChangesNothing_PushesNothing()
    {
        Assert.Null(_reloader.Reload());

        Assert.Single(_pushed);
    }

    [Fact]
    public void Refuses_AKeyThatDoesNotMatchTheCertificate_AndKeepsTheLastGoodCa()
    {
        var before = _provider.Current;
        File.WriteAllText(_options.CaCertFile!, _new.Cert.ExportCertificatePem());

        var error = _reloader.Reload();

        Assert.StartsWith($"--ca-cert: cannot load the CA certificate {_options.CaCertFile} with its key {_options.CaKeyFile}:", error);
        AssertRefused(before, error!);

        // Fixed: the key follows, the reload goes through and the error is gone.
        File.WriteAllText(_options.CaKeyFile!, _new.Key.ExportPkcs8PrivateKeyPem());
        Assert.Null(_reloader.Reload());
        Assert.Equal(Sha256(_new.Cert), _provider.Current.SignerSha256);
        Assert.Null(_provider.LastError);
        Assert.Empty(_tracker.GetErrors());
    }

    [Fact]
    public void Refuses_ACertificateThatIsNotACa()
    {
        var before = _provider.Current;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=just a leaf", key, HashAlgorithmName.SHA256);
        using var leaf = request.CreateSelfSigned(IdentityFixture.Start.AddDays(-1), IdentityFixture.Start.AddDays(30));
        WriteCa((leaf, key));

        var error = _reloader.Reload();

        Assert.Equal($"--ca-cert: {_options.CaCertFile}: CN=just a leaf is not a CA certificate (needs basicConstraints CA:true and keyCertSign)", error);
        AssertRefused(before, error!);
    }

    [Theory]
    [InlineData("not a certificate at all\n", "holds no PEM certificate")]
    [InlineData("-----BEGIN CERTIFICATE-----\nbm90IGRlcg==\n-----END CERTIFICATE-----\n", "cannot read certificates from")]
    public void Refuses_ABundleFileWithJunk(string content, string reason)
    {
        var before = _provider.Current;
        File.WriteAllText(_options.CaBundleExtraFile!, content);

        var error = _reloader.Reload();

        Assert.StartsWith("--ca-bundle-extra: ", error);
        Assert.Contains(reason, error);
        AssertRefused(before, error!);
    }

    [Fact]
    public void Refuses_AMissingBundleFile_RatherThanDroppingItsRoots()
    {
        File.WriteAllText(_options.CaBundleExtraFile!, _new.Cert.ExportCertificatePem());
        Assert.Null(_reloader.Reload());
        var before = _provider.Current;
        File.Delete(_options.CaBundleExtraFile!);

        var error = _reloader.Reload();

        Assert.StartsWith($"--ca-bundle-extra: cannot read {_options.CaBundleExtraFile}", error);
        AssertRefused(before, error!, pushed: 2);
        Assert.Equal(2, _provider.Current.TrustBundle.Length);
    }

    [Fact]
    public void Refuses_ANonCaCertificateInTheBundleFile()
    {
        var before = _provider.Current;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = new CertificateRequest("CN=leaf in bundle", key, HashAlgorithmName.SHA256).CreateSelfSigned(IdentityFixture.Start.AddDays(-1), IdentityFixture.Start.AddDays(1));
        File.WriteAllText(_options.CaBundleExtraFile!, leaf.ExportCertificatePem());

        var error = _reloader.Reload();

        Assert.Equal($"--ca-bundle-extra: {_options.CaBundleExtraFile}: CN=leaf in bundle is not a CA certificate (needs basicConstraints CA:true)", error);
        AssertRefused(before, error!);
    }

    [Fact]
    public void ACaGeneratedInMemory_KeepsItsSigner_AndTakesTheExtraRoots()
    {
        var options = IdentityOptions.Default with { CaBundleExtraFile = _options.CaBundleExtraFile };
        using var provider = new CertificateAuthorityProvider(CertificateAuthorityLoader.Load(options, null, _time, NullLogger.Instance), _time);
        var reloader = new CertificateAuthorityReloader(provider, options, null, _tracker, _time, NullLogger<CertificateAuthorityReloader>.Instance);
        var signer = provider.Current.SignerSha256;
        File.WriteAllText(_options.CaBundleExtraFile!, _new.Cert.ExportCertificatePem());

        Assert.Null(reloader.Reload());

        Assert.Equal(signer, provider.Current.SignerSha256);
        Assert.Equal([signer, Sha256(_new.Cert)], provider.Current.TrustBundle.Select(Sha256));
    }

    public void Dispose()
    {
        _provider.Dispose();
        _old.Cert.Dispose();
        _old.Key.Dispose();
        _new.Cert.Dispose();
        _new.Key.Dispose();
        _directory.Delete(recursive: true);
    }

    private void AssertRefused(CertificateAuthority before, string error, int pushed = 1)
    {
        Assert.Same(before, _provider.Current);
        Assert.Equal(error, _provider.LastError);
        var reported = Assert.Single(_tracker.GetErrors());
        Assert.Equal(CertificateAuthorityReloader.ErrorOrigin, reported.Origin);
        Assert.Equal(error, reported.Message);
        Assert.Equal(pushed, _pushed.Count);
    }

    private void WriteCa((X509Certificate2 Cert, ECDsa Key) ca)
    {
        File.WriteAllText(_options.CaKeyFile!, ca.Key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(_options.CaCertFile!, ca.Cert.ExportCertificatePem());
    }

    private static (X509Certificate2, ECDsa) Root(string subject)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return (request.CreateSelfSigned(IdentityFixture.Start.AddDays(-1), IdentityFixture.Start.AddYears(5)), key);
    }

    private static string Sha256(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    private static string[] Roots(TrustBundle bundle) => [.. bundle.Roots.Select(r => Convert.ToHexStringLower(SHA256.HashData(r.Span)))];
}

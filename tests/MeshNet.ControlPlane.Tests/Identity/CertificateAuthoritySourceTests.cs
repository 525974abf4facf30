using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshNet.ControlPlane.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static MeshNet.ControlPlane.Tests.Identity.TestCsr;

namespace MeshNet.ControlPlane.Tests.Identity;

/// <summary>Where the CA comes from: generated and persisted in the state directory, or the operator's own files.</summary>
public sealed class CertificateAuthoritySourceTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meshnet-ca-");
    private readonly FakeTimeProvider _time = new(IdentityFixture.Start);

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Generates_AnEcdsaP256Root_AndReusesItAfterARestart()
    {
        string thumbprint;
        using (var first = Load())
        {
            thumbprint = first.Signer.Thumbprint;
            using var key = first.Signer.GetECDsaPublicKey()!;
            Assert.Equal(256, key.KeySize);
            Assert.True(first.Signer.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        }

        using var second = Load();

        Assert.Equal(thumbprint, second.Signer.Thumbprint);
        Assert.True(second.Signer.HasPrivateKey);
        Assert.Equal(thumbprint, second.TrustBundle.Single().Thumbprint);
        Assert.Empty(second.Intermediates);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Keeps_TheKeyFile_OwnerOnly()
    {
        using var authority = Load();

        var key = Path.Combine(_directory.FullName, CertificateAuthorityLoader.KeyFileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Contains("BEGIN PRIVATE KEY", File.ReadAllText(key), StringComparison.Ordinal);
    }

    [Fact]
    public void Leaves_FromBeforeARestart_VerifyAgainstTheBundleAfterIt()
    {
        X509Certificate2 leaf;
        using (var before = new IdentityFixture(stateDirectory: _directory.FullName))
        {
            leaf = before.Issuer.Certify(Build(), before.PostsToken, null).Leaf!;
        }

        using var after = Load();

        Assert.True(Chains(leaf, after.TrustBundle, []));
        leaf.Dispose();
    }

    [Fact]
    public void Refuses_ACertificateWithoutItsKey()
    {
        using (Load())
        {
        }

        File.Delete(Path.Combine(_directory.FullName, CertificateAuthorityLoader.KeyFileName));

        var error = Assert.Throws<InvalidDataException>(() => Load());
        Assert.StartsWith("--state-dir: cannot load the CA certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Signs_WithAnIntermediate_UnderTheOperatorsRoot()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (root, intermediate) = OperatorChain(rootKey, intermediateKey);
        using var disposeRoot = root;
        using var disposeIntermediate = intermediate;
        var certFile = Write("ca.pem", intermediate.ExportCertificatePem() + "\n" + root.ExportCertificatePem());
        var keyFile = Write("ca-key.pem", intermediateKey.ExportPkcs8PrivateKeyPem());
        var options = IdentityOptions.Default with { CaCertFile = certFile, CaKeyFile = keyFile };

        using var fixture = new IdentityFixture(options);
        using var leaf = fixture.Issuer.Certify(Build(), fixture.PostsToken, null).Leaf!;

        Assert.Equal(intermediate.Thumbprint, fixture.Authority.Intermediates.Single().Thumbprint);
        Assert.Equal(root.Thumbprint, fixture.Authority.TrustBundle.Single().Thumbprint);
        Assert.Equal(intermediate.Subject, leaf.Issuer);
        Assert.True(Chains(leaf, fixture.Authority.TrustBundle, fixture.Authority.Intermediates));
        Assert.False(Chains(leaf, fixture.Authority.TrustBundle, []));
    }

    [Fact]
    public void Adds_TheExtraBundle_ToTheTrustBundle()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = CaCertificate("CN=Next Root", otherKey, issuer: null, issuerKey: null);
        var options = IdentityOptions.Default with { CaBundleExtraFile = Write("next.pem", other.ExportCertificatePem()) };

        using var authority = Load(options);

        Assert.Equal([authority.Signer.Thumbprint, other.Thumbprint], authority.TrustBundle.Select(c => c.Thumbprint));
    }

    [Fact]
    public void Refuses_ACertificateThatIsNotACa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=not a ca", key, HashAlgorithmName.SHA256);
        using var leaf = request.CreateSelfSigned(IdentityFixture.Start.AddDays(-1), IdentityFixture.Start.AddDays(30));
        var options = IdentityOptions.Default with
        {
            CaCertFile = Write("leaf.pem", leaf.ExportCertificatePem()),
            CaKeyFile = Write("leaf-key.pem", key.ExportPkcs8PrivateKeyPem()),
        };

        var error = Assert.Throws<InvalidDataException>(() => Load(options));

        Assert.Equal($"--ca-cert: {options.CaCertFile}: CN=not a ca is not a CA certificate (needs basicConstraints CA:true and keyCertSign)", error.Message);
    }

    [Fact]
    public void Refuses_AnIntermediateWithoutItsRoot()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (root, intermediate) = OperatorChain(rootKey, intermediateKey);
        using var disposeRoot = root;
        using var disposeIntermediate = intermediate;
        var options = IdentityOptions.Default with
        {
            CaCertFile = Write("ca.pem", intermediate.ExportCertificatePem()),
            CaKeyFile = Write("ca-key.pem", intermediateKey.ExportPkcs8PrivateKeyPem()),
        };

        var error = Assert.Throws<InvalidDataException>(() => Load(options));

        Assert.Equal(
            $"--ca-cert: {options.CaCertFile} holds no root certificate: append the root the CA chains to (or name it in --ca-bundle-extra)", error.Message);
    }

    private CertificateAuthority Load(IdentityOptions? options = null) =>
        CertificateAuthorityLoader.Load(options ?? IdentityOptions.Default, options is null ? _directory.FullName : null, _time, NullLogger.Instance);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>An operator's root and, under it, the intermediate they hand the mesh.</summary>
    private static (X509Certificate2 Root, X509Certificate2 Intermediate) OperatorChain(ECDsa rootKey, ECDsa intermediateKey)
    {
        var root = CaCertificate("CN=Operator Root", rootKey, issuer: null, issuerKey: null);
        return (root, CaCertificate("CN=Mesh Intermediate", intermediateKey, root, rootKey));
    }

    private static X509Certificate2 CaCertificate(string subject, ECDsa key, X509Certificate2? issuer, ECDsa? issuerKey)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var notBefore = IdentityFixture.Start.AddDays(-1);
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, IdentityFixture.Start.AddYears(5));
        }

        using var signed = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey!), notBefore, IdentityFixture.Start.AddYears(1), [1, 2, 3, 4]);
        return signed.CopyWithPrivateKey(key);
    }

    private static bool Chains(X509Certificate2 leaf, IEnumerable<X509Certificate2> roots, IEnumerable<X509Certificate2> intermediates)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = IdentityFixture.Start.UtcDateTime;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        return chain.Build(leaf);
    }
}

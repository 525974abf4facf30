using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshNet.Proxy.Identity;

/// <summary>
/// One issued identity: the leaf with its in-memory private key, the intermediates sent with it and the trust bundle
/// peers are checked against. Immutable; a renewal builds a new one and the store swaps it whole, so a handshake
/// always sees a leaf and a bundle that belong together.
/// </summary>
internal sealed class MeshCertificate
{
    private MeshCertificate(SpiffeId id, X509Certificate2 leaf, X509Certificate2Collection intermediates, X509Certificate2Collection trustBundle)
    {
        Id = id;
        Leaf = leaf;
        Intermediates = intermediates;
        TrustBundle = trustBundle;
        NotBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        NotAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        // offline: the chain is what the CA sent; never fetch anything (AIA) during a handshake.
        ServerContext = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        IssuerSha256 = FindIssuerSha256(leaf, intermediates, trustBundle);
    }

    /// <summary>The same leaf with another trust bundle: what a pushed bundle does, without touching the identity served.</summary>
    private MeshCertificate(MeshCertificate other, X509Certificate2Collection trustBundle)
    {
        Id = other.Id;
        Leaf = other.Leaf;
        Intermediates = other.Intermediates;
        TrustBundle = trustBundle;
        NotBefore = other.NotBefore;
        NotAfter = other.NotAfter;
        ServerContext = other.ServerContext;
        IssuerSha256 = other.IssuerSha256;
    }

    /// <summary>
    /// Lower-case hex SHA-256 of the certificate that signed the leaf (the first intermediate, or the root of the
    /// bundle it chains to), compared with the signer the control plane pushes; null if it cannot be found.
    /// </summary>
    public string? IssuerSha256 { get; }

    public SpiffeId Id { get; }

    public X509Certificate2 Leaf { get; }

    public X509Certificate2Collection Intermediates { get; }

    public X509Certificate2Collection TrustBundle { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    /// <summary>Leaf plus intermediates, prepared once for every handshake that presents them (server and client).</summary>
    public SslStreamCertificateContext ServerContext { get; }

    public TimeSpan Lifetime => NotAfter - NotBefore;

    /// <summary>This leaf, checked from now on against <paramref name="trustBundle"/> (the roots the control plane pushed).</summary>
    public MeshCertificate WithTrustBundle(X509Certificate2Collection trustBundle) => new(this, trustBundle);

    /// <summary>
    /// Checks what came back against what was asked for: the leaf must carry exactly the requested identity and the
    /// requested key, or the sidecar would present someone else's name or a certificate it cannot use.
    /// </summary>
    public static MeshCertificate Create(SpiffeId expected, ECDsa key, IssuedCertificate issued)
    {
        if (issued.ChainDer.Count == 0)
        {
            throw new CertifyRefusedException("the signer returned no certificate");
        }

        if (issued.TrustBundleDer.Count == 0)
        {
            throw new CertifyRefusedException("the signer returned an empty trust bundle");
        }

        using var leafOnly = X509CertificateLoader.LoadCertificate(issued.ChainDer[0]);
        var names = SpiffeId.UriNames(leafOnly);
        if (names.Count != 1 || names[0] != expected.ToString())
        {
            throw new CertifyRefusedException($"the issued certificate names [{string.Join(", ", names)}], not {expected}");
        }

        using var publicKey = leafOnly.GetECDsaPublicKey();
        if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw new CertifyRefusedException("the issued certificate is not for this sidecar's key");
        }

        var leaf = leafOnly.CopyWithPrivateKey(key);
        var intermediates = new X509Certificate2Collection();
        foreach (var der in issued.ChainDer.Skip(1))
        {
            intermediates.Add(X509CertificateLoader.LoadCertificate(der));
        }

        var bundle = new X509Certificate2Collection();
        foreach (var der in issued.TrustBundleDer)
        {
            bundle.Add(X509CertificateLoader.LoadCertificate(der));
        }

        return new MeshCertificate(expected, leaf, intermediates, bundle);
    }

    private static string? FindIssuerSha256(X509Certificate2 leaf, X509Certificate2Collection intermediates, X509Certificate2Collection bundle)
    {
        if (intermediates.Count > 0)
        {
            return Convert.ToHexStringLower(SHA256.HashData(intermediates[0].RawData));
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(bundle);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        // Only the issuer is wanted here; whether the chain is valid now is the peers' question.
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        chain.Build(leaf);
        return chain.ChainElements.Count > 1 ? Convert.ToHexStringLower(SHA256.HashData(chain.ChainElements[1].Certificate.RawData)) : null;
    }
}

using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// Signs workload leaves. Holds the signing certificate with its key, the intermediates between it and a root, and
/// the trust bundle peers verify against. Immutable once built; thread-safe.
/// </summary>
internal sealed class CertificateAuthority : IDisposable
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2 _signer;
    private readonly X509SignatureGenerator _generator;
    private readonly HashAlgorithmName _hash;
    private readonly AsymmetricAlgorithm _key;
    private readonly X509AuthorityKeyIdentifierExtension _authorityKeyId;

    /// <param name="signer">The signing certificate, with its private key.</param>
    /// <param name="intermediates">Certificates from the signer (when it is not a root) up to a root, exclusive.</param>
    /// <param name="trustBundle">Roots; the signer's chain ends at one of them.</param>
    public CertificateAuthority(X509Certificate2 signer, ImmutableArray<X509Certificate2> intermediates, ImmutableArray<X509Certificate2> trustBundle)
    {
        ArgumentNullException.ThrowIfNull(signer);
        _signer = signer;
        Intermediates = intermediates;
        TrustBundle = trustBundle;
        if (signer.GetECDsaPrivateKey() is { } ecdsa)
        {
            _key = ecdsa;
            _generator = X509SignatureGenerator.CreateForECDsa(ecdsa);
            _hash = ecdsa.KeySize > 256 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        }
        else if (signer.GetRSAPrivateKey() is { } rsa)
        {
            _key = rsa;
            _generator = X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1);
            _hash = HashAlgorithmName.SHA256;
        }
        else
        {
            throw new ArgumentException("the signing certificate has no ECDSA or RSA private key", nameof(signer));
        }

        _authorityKeyId = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(signer, includeKeyIdentifier: true, includeIssuerAndSerial: false);
        SignerSha256 = Convert.ToHexStringLower(SHA256.HashData(signer.RawData));
        PushedBundle = new TrustBundle { SignerSha256 = SignerSha256 };
        PushedBundle.Roots.Add(trustBundle.Select(c => ByteString.CopyFrom(c.RawData)));
    }

    /// <summary>Lower-case hex SHA-256 of the signing certificate's DER: how sidecars tell which signer issued their leaf.</summary>
    public string SignerSha256 { get; }

    /// <summary>What the discovery stream pushes: the roots and the signer. Built once; never mutate it.</summary>
    public TrustBundle PushedBundle { get; }

    public X509Certificate2 Signer => _signer;

    public ImmutableArray<X509Certificate2> Intermediates { get; }

    public ImmutableArray<X509Certificate2> TrustBundle { get; }

    /// <summary>
    /// A leaf for <paramref name="spiffeId"/>: empty subject with the SPIFFE ID as its only, critical, URI SAN (RFC 5280
    /// 4.1.2.6 requires the SAN be critical when the subject is empty; SPIFFE X509-SVID puts the identity there),
    /// not a CA, digitalSignature (+keyAgreement for EC keys, keyEncipherment for RSA), serverAuth + clientAuth.
    /// </summary>
    /// <returns>Null when the CA certificate has itself expired.</returns>
    public X509Certificate2? Issue(PublicKey publicKey, string spiffeId, TimeSpan ttl, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var notBefore = Max(now - IdentityOptions.Backdate, _signer.NotBefore.ToUniversalTime());
        var notAfter = Min(now + ttl, _signer.NotAfter.ToUniversalTime());
        if (notAfter <= now)
        {
            return null;
        }

        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), publicKey, _hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        var usage = publicKey.Oid.Value == "1.2.840.113549.1.1.1" ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.KeyAgreement;
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | usage, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid), new Oid(ClientAuthOid)], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(spiffeId));
        request.CertificateExtensions.Add(san.Build(critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, critical: false));
        request.CertificateExtensions.Add(_authorityKeyId);
        return request.Create(_signer.SubjectName, _generator, notBefore, notAfter, NewSerialNumber());
    }

    /// <summary>
    /// 16 random bytes (CA/Browser Forum asks for 64+ bits of entropy): top bit clear so the DER INTEGER is positive,
    /// second bit set so it never needs a leading zero byte and every serial is exactly 16 bytes.
    /// </summary>
    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public void Dispose()
    {
        _key.Dispose();
        _signer.Dispose();
        foreach (var certificate in Intermediates.Concat(TrustBundle))
        {
            certificate.Dispose();
        }
    }
}

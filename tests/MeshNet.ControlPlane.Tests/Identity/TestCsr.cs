using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshNet.ControlPlane.Tests.Identity;

/// <summary>PKCS#10 requests built the way a client would, good or deliberately bad.</summary>
internal static class TestCsr
{
    public const string TrustDomain = "cluster.local";
    public const string Posts = "spiffe://cluster.local/ns/blog/sa/posts";

    /// <summary>An ECDSA P-256 CSR with <paramref name="uri"/> as its only SAN (none when null), then <paramref name="customize"/>.</summary>
    public static byte[] Build(string? uri = Posts, Action<CertificateRequest>? customize = null, AsymmetricAlgorithm? key = null, X500DistinguishedName? subject = null)
    {
        using var ownKey = key is null ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        var signer = key ?? ownKey!;
        subject ??= new X500DistinguishedName(string.Empty);
        var request = signer switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("ECDsa or RSA", nameof(key)),
        };
        if (uri is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddUri(new Uri(uri));
            request.CertificateExtensions.Add(san.Build());
        }

        customize?.Invoke(request);
        return request.CreateSigningRequest();
    }

    /// <summary>A subjectAltName holding one URI written byte for byte, bypassing System.Uri's escaping.</summary>
    public static X509Extension RawUriSan(byte[] uri)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteOctetString(uri, new Asn1Tag(TagClass.ContextSpecific, 6));
        }

        return new X509Extension("2.5.29.17", writer.Encode(), critical: false);
    }

    /// <summary>A subject with one CN written as a UTF8String, whatever it contains.</summary>
    public static X500DistinguishedName RawCommonName(string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSetOf())
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("2.5.4.3");
            writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
        }

        return new X500DistinguishedName(writer.Encode());
    }

    public static SubjectAlternativeNameBuilder SanWith(string uri)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(uri));
        return san;
    }
}

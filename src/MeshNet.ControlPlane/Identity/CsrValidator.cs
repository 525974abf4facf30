using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// Decides whether a PKCS#10 request may become a leaf for an authenticated identity. Nothing but the public key is
/// carried into the certificate, yet every requested property is still checked: a client asking for CA:true or an
/// extra SAN is misbehaving, and saying so (one reason per refusal) beats silently handing it something else.
/// </summary>
internal static class CsrValidator
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const string P384Oid = "1.3.132.0.34";
    private const string SubjectAltNameOid = "2.5.29.17";
    private const string BasicConstraintsOid = "2.5.29.19";
    private const string KeyUsageOid = "2.5.29.15";
    private const string ExtendedKeyUsageOid = "2.5.29.37";
    private const string SubjectKeyIdentifierOid = "2.5.29.14";
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private const int MinRsaBits = 2048;

    private const X509KeyUsageFlags LeafKeyUsages =
        X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyAgreement;

    /// <summary>The request's public key when <paramref name="der"/> may be signed as <paramref name="expectedId"/>.</summary>
    /// <param name="trustDomain">This CA's trust domain, to tell "wrong trust domain" from "wrong workload".</param>
    public static bool TryValidate(
        ReadOnlySpan<byte> der, string expectedId, string trustDomain, [NotNullWhen(true)] out PublicKey? publicKey, [NotNullWhen(false)] out CertifyRefusal? refusal)
    {
        publicKey = null;
        refusal = Check(der, expectedId, trustDomain, out var request);
        if (refusal is not null)
        {
            return false;
        }

        publicKey = request!.PublicKey;
        return true;
    }

    private static CertifyRefusal? Check(ReadOnlySpan<byte> der, string expectedId, string trustDomain, out CertificateRequest? request)
    {
        request = null;
        if (der.Length > IdentityOptions.MaxCsrBytes)
        {
            return CertifyRefusal.Invalid($"CSR is {der.Length} bytes, more than the {IdentityOptions.MaxCsrBytes} allowed");
        }

        try
        {
            // First without the signature check, so a weak or unsupported key is named as such rather than as a
            // signature failure; the extensions are loaded only to be inspected, never copied.
            request = CertificateRequest.LoadSigningRequest(
                der.ToArray(),
                HashAlgorithmName.SHA256,
                CertificateRequestLoadOptions.SkipSignatureValidation | CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (CryptographicException)
        {
            return CertifyRefusal.Invalid("CSR is not a DER PKCS#10 certification request");
        }

        return CheckKey(request.PublicKey)
            ?? CheckSignature(der)
            ?? CheckSubject(request.SubjectName)
            ?? CheckExtensions(request.CertificateExtensions, expectedId, trustDomain);
    }

    private static CertifyRefusal? CheckKey(PublicKey key)
    {
        switch (key.Oid.Value)
        {
            case RsaOid:
                using (var rsa = key.GetRSAPublicKey())
                {
                    var bits = rsa?.KeySize ?? 0;
                    return bits >= MinRsaBits ? null : CertifyRefusal.Invalid($"RSA key of {bits} bits is too weak (at least {MinRsaBits})");
                }

            case EcOid:
                var curve = NamedCurveOf(key);
                return curve is P256Oid or P384Oid
                    ? null
                    : CertifyRefusal.Invalid($"EC key on curve {curve ?? "(explicit parameters)"} is not allowed (P-256 or P-384 only)");
            default:
                return CertifyRefusal.Invalid($"key algorithm {key.Oid.Value} is not allowed (ECDSA P-256/P-384 or RSA of at least {MinRsaBits} bits)");
        }
    }

    /// <summary>The namedCurve OID of an EC key (RFC 5480 ECParameters), or null for explicit curve parameters.</summary>
    private static string? NamedCurveOf(PublicKey key)
    {
        if (key.EncodedParameters?.RawData is not { } parameters)
        {
            return null;
        }

        try
        {
            var reader = new AsnReader(parameters, AsnEncodingRules.DER);
            return reader.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier) ? reader.ReadObjectIdentifier() : null;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static CertifyRefusal? CheckSignature(ReadOnlySpan<byte> der)
    {
        try
        {
            CertificateRequest.LoadSigningRequest(der.ToArray(), HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
            return null;
        }
        catch (CryptographicException)
        {
            return CertifyRefusal.Invalid("CSR signature does not verify");
        }
    }

    /// <summary>Only printable ASCII: a subject is echoed into logs and tools, where control characters forge lines.</summary>
    private static CertifyRefusal? CheckSubject(X500DistinguishedName subject)
    {
        try
        {
            var rdns = new AsnReader(subject.RawData, AsnEncodingRules.DER).ReadSequence();
            while (rdns.HasData)
            {
                var attributes = rdns.ReadSetOf();
                while (attributes.HasData)
                {
                    var attribute = attributes.ReadSequence();
                    attribute.ReadObjectIdentifier();
                    var value = ReadDirectoryString(attribute);
                    if (value is null)
                    {
                        return CertifyRefusal.Invalid("CSR subject has an attribute that is not a string");
                    }

                    if (!IsPrintableAscii(value))
                    {
                        return CertifyRefusal.Invalid("CSR subject contains a control or non-ASCII character");
                    }
                }
            }

            return null;
        }
        catch (AsnContentException)
        {
            return CertifyRefusal.Invalid("CSR subject is not a valid distinguished name");
        }
    }

    private static string? ReadDirectoryString(AsnReader attribute)
    {
        var tag = attribute.PeekTag();
        if (tag.TagClass != TagClass.Universal)
        {
            return null;
        }

        return (UniversalTagNumber)tag.TagValue switch
        {
            UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String
                or UniversalTagNumber.BMPString or UniversalTagNumber.T61String or UniversalTagNumber.VisibleString
                => attribute.ReadCharacterString((UniversalTagNumber)tag.TagValue),
            _ => null,
        };
    }

    private static bool IsPrintableAscii(string value) => value.All(c => c is >= ' ' and <= '~');

    private static CertifyRefusal? CheckExtensions(Collection<X509Extension> extensions, string expectedId, string trustDomain)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        X509Extension? san = null;
        foreach (var extension in extensions)
        {
            var oid = extension.Oid?.Value ?? string.Empty;
            if (!seen.Add(oid))
            {
                return CertifyRefusal.Invalid($"CSR repeats extension {oid}");
            }

            try
            {
                var refusal = oid switch
                {
                    SubjectAltNameOid => null,
                    BasicConstraintsOid => CheckBasicConstraints(extension),
                    KeyUsageOid => CheckKeyUsage(extension),
                    ExtendedKeyUsageOid => CheckExtendedKeyUsage(extension),
                    SubjectKeyIdentifierOid => null,
                    _ when extension.Critical => CertifyRefusal.Invalid($"CSR requests unsupported critical extension {oid}"),
                    // Never copied into the leaf, so an unknown non-critical extension is harmless.
                    _ => null,
                };
                if (refusal is not null)
                {
                    return refusal;
                }
            }
            catch (CryptographicException)
            {
                return CertifyRefusal.Invalid($"CSR extension {oid} is malformed");
            }

            if (oid == SubjectAltNameOid)
            {
                san = extension;
            }
        }

        return san is null
            ? CertifyRefusal.Invalid($"CSR has no subject alternative name; it must carry exactly the URI SAN {expectedId}")
            : CheckSubjectAltName(san, expectedId, trustDomain);
    }

    private static CertifyRefusal? CheckBasicConstraints(X509Extension extension) =>
        new X509BasicConstraintsExtension(extension, extension.Critical).CertificateAuthority
            ? CertifyRefusal.Invalid("CSR requests CA:true; a workload certificate is never a CA")
            : null;

    private static CertifyRefusal? CheckKeyUsage(X509Extension extension)
    {
        var extra = new X509KeyUsageExtension(extension, extension.Critical).KeyUsages & ~LeafKeyUsages;
        return extra == X509KeyUsageFlags.None
            ? null
            : CertifyRefusal.Invalid($"CSR requests key usage {extra}; a leaf may have only digitalSignature, keyEncipherment and keyAgreement");
    }

    private static CertifyRefusal? CheckExtendedKeyUsage(X509Extension extension)
    {
        foreach (var usage in new X509EnhancedKeyUsageExtension(extension, extension.Critical).EnhancedKeyUsages)
        {
            if (usage.Value is not (ServerAuthOid or ClientAuthOid))
            {
                return CertifyRefusal.Invalid($"CSR requests extended key usage {usage.Value}; a leaf may have only serverAuth and clientAuth");
            }
        }

        return null;
    }

    private static CertifyRefusal? CheckSubjectAltName(X509Extension extension, string expectedId, string trustDomain)
    {
        IReadOnlyList<(SubjectAltNames.Kind Kind, byte[] Value)> names;
        try
        {
            names = SubjectAltNames.Read(extension.RawData);
        }
        catch (AsnContentException)
        {
            return CertifyRefusal.Invalid("CSR subject alternative name is malformed");
        }

        string? uri = null;
        foreach (var (kind, value) in names)
        {
            if (kind is SubjectAltNames.Kind.Uri or SubjectAltNames.Kind.Dns or SubjectAltNames.Kind.Email &&
                !value.All(b => b is >= 0x21 and <= 0x7E))
            {
                return CertifyRefusal.Invalid("CSR subject alternative name contains a control, space or non-ASCII character");
            }

            if (kind != SubjectAltNames.Kind.Uri || uri is not null)
            {
                return CertifyRefusal.Invalid($"CSR asks for {SubjectAltNames.Describe(kind)} SAN; only the URI SAN {expectedId} is allowed");
            }

            uri = System.Text.Encoding.ASCII.GetString(value);
        }

        if (uri is null)
        {
            return CertifyRefusal.Invalid($"CSR has no URI SAN; it must carry {expectedId}");
        }

        if (string.Equals(uri, expectedId, StringComparison.Ordinal))
        {
            return null;
        }

        var domain = SpiffeId.TrustDomainOf(uri);
        if (domain is null)
        {
            return CertifyRefusal.Invalid($"CSR URI SAN {uri} is not a SPIFFE ID; it must be {expectedId}");
        }

        return domain == trustDomain
            ? CertifyRefusal.Denied($"CSR names {uri} but the join token is for {expectedId}")
            : CertifyRefusal.Denied($"CSR names trust domain {domain} but this control plane's is {trustDomain}");
    }
}

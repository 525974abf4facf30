using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshNet.Proxy.Identity;

/// <summary>
/// The PKCS#10 request the sidecar sends to be certified: an empty subject and one URI SAN, the SPIFFE ID (X.509-SVID
/// spec: the SAN is the identity, and with an empty subject the extension is critical). Key usage, basic constraints
/// and lifetime are the CA's to set, so the request asks for nothing else.
/// </summary>
internal static class CsrBuilder
{
    public static byte[] Build(ECDsa key, SpiffeId id)
    {
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(id.ToUri());
        request.CertificateExtensions.Add(san.Build(critical: true));
        return request.CreateSigningRequest();
    }

    /// <summary>A fresh P-256 key, held in memory only: it is never exported, written or sent.</summary>
    public static ECDsa NewKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);
}

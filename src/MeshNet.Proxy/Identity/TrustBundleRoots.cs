using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Identity;

/// <summary>The roots of a pushed <see cref="TrustBundle"/>, checked: a bundle this sidecar cannot use is a NACK, never an empty trust store.</summary>
internal static class TrustBundleRoots
{
    public static bool TryParse(TrustBundle bundle, [NotNullWhen(true)] out X509Certificate2Collection? roots, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        roots = null;
        if (bundle.Roots.Count == 0)
        {
            error = "trust_bundle has no roots";
            return false;
        }

        if (bundle.SignerSha256.Length != 0 && (bundle.SignerSha256.Length != 64 || !bundle.SignerSha256.All(char.IsAsciiHexDigitLower)))
        {
            error = $"trust_bundle.signer_sha256 \"{bundle.SignerSha256}\" is not 64 lower-case hex digits";
            return false;
        }

        var parsed = new X509Certificate2Collection();
        for (var i = 0; i < bundle.Roots.Count; i++)
        {
            try
            {
                parsed.Add(X509CertificateLoader.LoadCertificate(bundle.Roots[i].Span));
            }
            catch (CryptographicException ex)
            {
                error = $"trust_bundle.roots[{i}] is not a DER certificate: {ex.Message}";
                return false;
            }
        }

        roots = parsed;
        error = null;
        return true;
    }
}

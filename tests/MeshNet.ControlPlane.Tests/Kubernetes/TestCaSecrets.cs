using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace MeshNet.ControlPlane.Tests.Kubernetes;

/// <summary>An operator's own CAs and the meshnet-ca Secret JSON that holds one, for the API server double.</summary>
internal static class TestCaSecrets
{
    public const string Namespace = "mesh";

    /// <summary>A self-signed root, or an intermediate signed by <paramref name="issuer"/>, with its private key.</summary>
    public static X509Certificate2 NewCa(string name, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var notBefore = DateTimeOffset.UtcNow.AddHours(-2);
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notBefore.AddDays(365));
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var signed = request.Create(issuer, notBefore.AddMinutes(1), notBefore.AddDays(300), [1, 2, 3, 4]);
        return signed.CopyWithPrivateKey(key);
    }

    public static string KeyPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey()!;
        return key.ExportPkcs8PrivateKeyPem();
    }

    public static string Sha256(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    /// <summary>The Secret holding <paramref name="ca"/>; <paramref name="extraRoots"/> fills ca-bundle-extra.pem (empty: the key is there, blank).</summary>
    public static string Secret(X509Certificate2 ca, X509Certificate2[]? extraRoots = null) =>
        Secret(ca.ExportCertificatePem(), KeyPem(ca), extraRoots: extraRoots is null ? null : string.Concat(extraRoots.Select(r => r.ExportCertificatePem() + "\n")));

    public static string Secret(string certificate, string? key, string? ca = null, string? extraRoots = null)
    {
        var data = new JsonObject { ["tls.crt"] = Base64(certificate) };
        if (key is not null)
        {
            data["tls.key"] = Base64(key);
        }

        if (ca is not null)
        {
            data["ca.crt"] = Base64(ca);
        }

        if (extraRoots is not null)
        {
            data["ca-bundle-extra.pem"] = Base64(extraRoots);
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["type"] = "kubernetes.io/tls",
            ["metadata"] = new JsonObject { ["name"] = "meshnet-ca", ["namespace"] = Namespace },
            ["data"] = data,
        }.ToJsonString();
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));
}

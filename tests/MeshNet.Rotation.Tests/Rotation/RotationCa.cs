using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshNet.EndToEnd.Tests.Rotation;

/// <summary>
/// Certificates the rotation tests make themselves: operator roots (the CA files of a trust-anchor rotation), leaves
/// for a prober that dials sidecars directly, and the leaf a sidecar serves, read off a real handshake.
/// </summary>
internal static class RotationCa
{
    public const string ProberIdentity = "spiffe://cluster.local/ns/e2e/sa/prober";

    /// <summary>A self-signed ECDSA P-256 CA, as an operator would hand the mesh.</summary>
    public static X509Certificate2 NewRoot(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddHours(-1), now.AddDays(30));
    }

    /// <summary>Writes the CA as --ca-cert/--ca-key files, each replaced atomically, the key first.</summary>
    public static void WriteCaFiles(X509Certificate2 ca, string certFile, string keyFile)
    {
        using var key = ca.GetECDsaPrivateKey()!;
        WriteAtomically(keyFile, key.ExportPkcs8PrivateKeyPem());
        WriteAtomically(certFile, ca.ExportCertificatePem() + "\n");
    }

    public static void WriteAtomically(string path, string content)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The CA in <paramref name="certFile"/> with its key: what signs the prober's leaves.</summary>
    public static X509Certificate2 Load(string certFile, string keyFile) => X509Certificate2.CreateFromPemFile(certFile, keyFile);

    /// <summary>A leaf for the prober's SPIFFE ID under <paramref name="ca"/>, valid for ten minutes.</summary>
    public static X509Certificate2 IssueProberLeaf(X509Certificate2 ca)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(ProberIdentity));
        request.CertificateExtensions.Add(san.Build(critical: true));
        var now = DateTimeOffset.UtcNow;
        using var leaf = request.Create(ca, now.AddMinutes(-1), now.AddMinutes(10), RandomNumberGenerator.GetBytes(16));
        return leaf.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// The leaf a sidecar's inbound listener serves now, read off a TLS 1.3 handshake in which the prober presents
    /// <paramref name="clientLeaf"/> (a handshake without one would count as a refused peer on the sidecar).
    /// </summary>
    public static async Task<X509Certificate2> ServedLeafAsync(IPEndPoint inbound, X509Certificate2 clientLeaf)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(inbound);
        await using var tls = new SslStream(tcp.GetStream());
        X509Certificate2? served = null;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = inbound.Address.ToString(),
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ClientCertificates = [clientLeaf],
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    {
                        served = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
                        return true;
                    },
                },
                timeout.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            // A refusal still showed the leaf; the caller judges it.
        }

        return served ?? throw new IOException($"{inbound} served no certificate");
    }

    /// <summary>Whether <paramref name="leaf"/> chains to one of <paramref name="roots"/> and to nothing else.</summary>
    public static bool ChainsTo(X509Certificate2 leaf, params X509Certificate2[] roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.Select(r => X509CertificateLoader.LoadCertificate(r.RawData)).ToArray());
        return chain.Build(leaf);
    }

    public static string Sha256(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
}

using System.Collections.Immutable;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshNet.ControlPlane.Identity;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Transport;

/// <summary>
/// The gRPC port's own certificate, signed by the mesh CA: SPIFFE ID spiffe://TD/ns/NS/sa/meshnet-control, DNS
/// names localhost and meshnet-control[.NS[.svc[.DOMAIN]]], the listen IP(s) and any --grpc-tls-san. Checked on
/// every handshake and by the refresher: re-issued at half its lifetime, and at once when the CA in force is no
/// longer the one that signed it (a trust-anchor rotation), so a sidecar that already trusts only the new root still
/// connects. Each issue uses a fresh key held in memory.
/// </summary>
internal sealed partial class ServingCertificate(
    Func<CertificateAuthority> authority,
    IdentityOptions identity,
    GrpcTransportOptions transport,
    string clusterDomain,
    IPAddress listenAddress,
    TimeProvider time,
    ILogger<ServingCertificate> logger)
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    private readonly Lock _lock = new();
    private Issued? _current;

    /// <summary>The SPIFFE ID the certificate carries, which sidecars check.</summary>
    public string SpiffeId => $"spiffe://{identity.TrustDomain}/ns/{transport.Namespace}/sa/{GrpcTransportOptions.ServiceAccount}";

    /// <summary>The certificate in force, re-issued first when it is due or its signer was replaced.</summary>
    public Issued Current
    {
        get
        {
            var ca = authority();
            var current = Volatile.Read(ref _current);
            if (current is not null && !IsDue(current, ca))
            {
                return current;
            }

            lock (_lock)
            {
                current = _current;
                if (current is null || IsDue(current, ca))
                {
                    current = Issue(ca, current is null ? "first" : ReferenceEquals(current.Authority, ca) ? "renewal" : "CA change");
                    Volatile.Write(ref _current, current);
                }

                return current;
            }
        }
    }

    private bool IsDue(Issued issued, CertificateAuthority ca) => !ReferenceEquals(issued.Authority, ca) || time.GetUtcNow() >= issued.RenewAt;

    private Issued Issue(CertificateAuthority ca, string why)
    {
        var now = time.GetUtcNow();
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=meshnet-control"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], critical: false));
        var names = Names();
        request.CertificateExtensions.Add(SubjectAltNames(names));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Signer, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var signer = ca.Signer;
        var notBefore = Max(now - IdentityOptions.Backdate, signer.NotBefore.ToUniversalTime());
        var notAfter = Min(now + identity.CertTtl, signer.NotAfter.ToUniversalTime());
        using var issued = request.Create(signer.SubjectName, Generator(signer), notBefore, notAfter, NewSerialNumber());
        var leaf = issued.CopyWithPrivateKey(key);
        var context = SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(ca.Intermediates.ToArray()), offline: true);
        var renewAt = notBefore + ((notAfter - notBefore) / 2);
        if (logger.IsEnabled(LogLevel.Information))
        {
            var listed = string.Join(", ", names);
            LogIssued(logger, why, notAfter, listed);
        }

        return new Issued(ca, leaf, context, renewAt);
    }

    private static X509SignatureGenerator Generator(X509Certificate2 signer) =>
        signer.GetECDsaPrivateKey() is { } ecdsa ? X509SignatureGenerator.CreateForECDsa(ecdsa)
        : signer.GetRSAPrivateKey() is { } rsa ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1)
        : throw new InvalidOperationException("the CA's signing certificate has no usable private key");

    private X509Extension SubjectAltNames(ImmutableArray<string> names)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(SpiffeId));
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        // The subject is not empty, so the SAN need not be critical (RFC 5280 4.2.1.6).
        return san.Build(critical: false);
    }

    /// <summary>DNS names and IP addresses, in the order they appear in the certificate.</summary>
    internal ImmutableArray<string> Names()
    {
        var ns = transport.Namespace;
        var names = new List<string>
        {
            "localhost",
            GrpcTransportOptions.ServiceAccount,
            $"{GrpcTransportOptions.ServiceAccount}.{ns}",
            $"{GrpcTransportOptions.ServiceAccount}.{ns}.svc",
            $"{GrpcTransportOptions.ServiceAccount}.{ns}.svc.{clusterDomain}",
        };
        names.AddRange(ListenAddresses().Select(a => a.ToString()));
        names.AddRange(transport.ExtraNames);
        return [.. names.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The listen IP, or every address of this host's interfaces when listening on all of them.</summary>
    private IEnumerable<IPAddress> ListenAddresses()
    {
        if (!listenAddress.Equals(IPAddress.Any) && !listenAddress.Equals(IPAddress.IPv6Any))
        {
            return [listenAddress.IsIPv4MappedToIPv6 ? listenAddress.MapToIPv4() : listenAddress];
        }

        var ipv6 = listenAddress.Equals(IPAddress.IPv6Any);
        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            // A dual-stack [::] listener takes IPv4 clients too; link-local addresses need a zone no URL carries.
            .Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || (ipv6 && !a.IsIPv6LinkLocal));
    }

    /// <summary>16 random bytes, positive and without a leading zero byte (as the CA's own serials).</summary>
    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "gRPC TLS: issued the serving certificate ({Why}), valid until {NotAfter:u}, for {Names}")]
    private static partial void LogIssued(ILogger logger, string why, DateTimeOffset notAfter, string names);

    /// <summary>One serving certificate and what it was issued under.</summary>
    internal sealed record Issued(CertificateAuthority Authority, X509Certificate2 Leaf, SslStreamCertificateContext Context, DateTimeOffset RenewAt);
}

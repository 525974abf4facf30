using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshNet.Proxy.Discovery;

/// <summary>
/// How this sidecar trusts the control plane's gRPC port. With https:// and --control-plane-ca, the server must
/// chain to that bundle alone (the machine's roots are not consulted), its certificate must name the URL's host (DNS
/// or IP SAN), and carry the SPIFFE ID of a control plane of this trust domain (spiffe://TD/ns/NS/sa/meshnet-control):
/// a workload leaf from the same CA has no DNS or IP name, so it cannot pass for the control plane. The bundle file is
/// read again when it changes, so the control plane's rewrite of ca-bundle.pem during a trust-anchor rotation is
/// followed without a restart. With https:// and no bundle, the machine's roots and the usual name check apply.
/// </summary>
internal sealed partial class ControlPlaneTrust(ProxyOptions options, ILogger<ControlPlaneTrust> logger)
{
    public const string ControlPlaneServiceAccount = "meshnet-control";

    private readonly Lock _lock = new();
    private (DateTime Modified, long Length, X509Certificate2Collection Roots)? _bundle;

    /// <summary>For callers built outside DI (tests, tools): failures are not logged.</summary>
    public ControlPlaneTrust(ProxyOptions options)
        : this(options, NullLogger<ControlPlaneTrust>.Instance)
    {
    }

    /// <summary>The TLS settings for SocketsHttpHandler; null for an http:// control plane.</summary>
    public SslClientAuthenticationOptions? ClientOptions() =>
        options.ControlPlane.Scheme != Uri.UriSchemeHttps ? null
        : options.ControlPlaneCa is null ? new SslClientAuthenticationOptions()
        : new SslClientAuthenticationOptions
        {
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(certificate, chain, errors) is null,
        };

    /// <summary>
    /// Why a join token must not go to <paramref name="controlPlane"/>: plaintext to a host that is not this machine's
    /// loopback would put the token (and the CSR) on the network in clear. Null when it may.
    /// </summary>
    public static string? PlaintextTokenRefusal(Uri controlPlane)
    {
        ArgumentNullException.ThrowIfNull(controlPlane);
        if (controlPlane.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        var host = controlPlane.Host.Trim('[', ']');
        var loopback = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip));
        return loopback
            ? null
            : $"refusing to send the join token over plaintext to the non-loopback control plane {controlPlane.GetLeftPart(UriPartial.Authority)}: use https:// with --control-plane-ca (the control plane writes its bundle to <state-dir>/ca-bundle.pem)";
    }

    /// <summary>Null when the server proves it is the control plane, else why not (also logged).</summary>
    internal string? Validate(X509Certificate? presented, X509Chain? received, SslPolicyErrors errors)
    {
        var reason = Check(presented, received, errors);
        if (reason is not null)
        {
            LogRefused(logger, options.ControlPlane, reason);
        }

        return reason;
    }

    private string? Check(X509Certificate? presented, X509Chain? received, SslPolicyErrors errors)
    {
        if (presented is null)
        {
            return "no server certificate";
        }

        // The name check of SslStream is independent of the trust decision, so its verdict stands.
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return $"the certificate does not name {options.ControlPlane.Host}";
        }

        X509Certificate2Collection roots;
        try
        {
            roots = Roots();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return $"cannot read --control-plane-ca {options.ControlPlaneCa}: {ex.Message}";
        }

        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (received is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(received.ChainPolicy.ExtraStore);
        }

        if (!chain.Build(leaf))
        {
            return "the certificate does not chain to --control-plane-ca: " + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
        }

        var names = SpiffeId.UriNames(leaf);
        var isControlPlane = names.Any(n => SpiffeId.TryParse(n, out var id)
            && id.TrustDomain == options.TrustDomain
            && id.ServiceAccount == ControlPlaneServiceAccount);
        return isControlPlane
            ? null
            : $"the certificate carries no control-plane SPIFFE ID (spiffe://{options.TrustDomain}/ns/<ns>/sa/{ControlPlaneServiceAccount}), only [{string.Join(", ", names)}]";
    }

    private X509Certificate2Collection Roots()
    {
        var file = new FileInfo(options.ControlPlaneCa!);
        lock (_lock)
        {
            if (_bundle is { } cached && cached.Modified == file.LastWriteTimeUtc && cached.Length == file.Length)
            {
                return cached.Roots;
            }

            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(file.FullName);
            if (roots.Count == 0)
            {
                throw new IOException("no PEM certificate in the file");
            }

            _bundle = (file.LastWriteTimeUtc, file.Length, roots);
            return roots;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused the control plane {ControlPlane}: {Reason}")]
    private static partial void LogRefused(ILogger logger, Uri controlPlane, string reason);
}

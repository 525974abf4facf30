using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MeshNet.Proxy.Identity;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Tls;

/// <summary>
/// Decides whether a peer's certificate proves a mesh identity: its chain must end in this sidecar's current trust
/// bundle (and nothing else: the machine's roots are not consulted), be valid now, and the leaf must carry exactly one
/// URI SAN, a SPIFFE ID of this trust domain; a client additionally requires the exact identity the control plane
/// named for the endpoint. Every refusal is counted and logged with its <see cref="PeerRejection"/> reason.
/// </summary>
internal sealed partial class PeerCertificateValidator(ICertificateSource certificates, PeerRefusals refusals, TimeProvider time, ILogger<PeerCertificateValidator> logger)
{
    /// <summary>Returns the peer's identity, or null with the refusal reason.</summary>
    public SpiffeId? Validate(X509Certificate? presented, X509Chain? received, string? expectedIdentity, string role, out string? reason)
    {
        reason = Check(presented, received, expectedIdentity, out var id, out var detail);
        if (reason is not null)
        {
            refusals.Add(reason);
            LogRefused(logger, role, reason, detail);
            return null;
        }

        return id;
    }

    /// <summary>A validation callback for one TLS role; <paramref name="expectedIdentity"/> only for clients.</summary>
    public RemoteCertificateValidationCallback Callback(string role, string? expectedIdentity) =>
        (_, certificate, chain, _) => Validate(certificate, chain, expectedIdentity, role, out _) is not null;

    private string? Check(X509Certificate? presented, X509Chain? received, string? expectedIdentity, out SpiffeId? id, out string detail)
    {
        id = null;
        detail = string.Empty;
        var current = certificates.Current;
        if (presented is null)
        {
            return PeerRejection.NoCertificate;
        }

        if (current is null)
        {
            return PeerRejection.NoLocalCertificate;
        }

        // The X509Certificate handed to the callback is owned by SslStream; take our own view of it.
        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        var names = SpiffeId.UriNames(leaf);
        detail = names.Count == 0 ? leaf.Subject : string.Join(", ", names);
        var chainReason = CheckChain(leaf, received, current.TrustBundle);
        if (chainReason is not null)
        {
            return chainReason;
        }

        if (names.Count != 1 || !SpiffeId.TryParse(names[0], out var parsed))
        {
            return PeerRejection.NoSpiffeId;
        }

        if (!string.Equals(parsed.TrustDomain, certificates.TrustDomain, StringComparison.Ordinal))
        {
            return PeerRejection.ForeignTrustDomain;
        }

        if (expectedIdentity is not null && !string.Equals(names[0], expectedIdentity, StringComparison.Ordinal))
        {
            detail = $"{names[0]}, expected {expectedIdentity}";
            return PeerRejection.IdentityMismatch;
        }

        id = parsed;
        return null;
    }

    private string? CheckChain(X509Certificate2 leaf, X509Chain? received, X509Certificate2Collection bundle)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(bundle);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = time.GetUtcNow().UtcDateTime;
        policy.VerificationTimeIgnored = false;
        if (received is not null)
        {
            // The intermediates the peer sent (SslStream collects them here).
            policy.ExtraStore.AddRange(received.ChainPolicy.ExtraStore);
        }

        if (chain.Build(leaf))
        {
            return null;
        }

        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            return PeerRejection.UnknownAuthority;
        }

        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            return chain.ChainElements.Any(e => e.Certificate.NotBefore.ToUniversalTime() > policy.VerificationTime)
                ? PeerRejection.NotYetValid
                : PeerRejection.Expired;
        }

        return PeerRejection.InvalidChain;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused the {Role} certificate: {Reason} ({Detail})")]
    private static partial void LogRefused(ILogger logger, string role, string reason, string detail);
}

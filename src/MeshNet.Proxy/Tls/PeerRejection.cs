using System.Collections.Concurrent;

namespace MeshNet.Proxy.Tls;

/// <summary>Why a peer's certificate, or a connection, was refused; the names appear in logs and in /certs.</summary>
internal static class PeerRejection
{
    public const string NoCertificate = "no-certificate";
    public const string UnknownAuthority = "unknown-authority";
    public const string Expired = "expired";
    public const string NotYetValid = "not-yet-valid";
    public const string InvalidChain = "invalid-chain";
    public const string NoSpiffeId = "no-spiffe-id";
    public const string ForeignTrustDomain = "foreign-trust-domain";
    public const string IdentityMismatch = "identity-mismatch";

    /// <summary>A plaintext connection to a STRICT inbound listener.</summary>
    public const string PlaintextInStrict = "plaintext-in-strict";

    /// <summary>A TLS connection to an inbound listener whose mode is DISABLED.</summary>
    public const string TlsWhenDisabled = "tls-when-disabled";

    /// <summary>TLS asked for before this sidecar has a certificate of its own.</summary>
    public const string NoLocalCertificate = "no-local-certificate";
}

/// <summary>Counts refusals by reason (inbound and outbound), for the admin view.</summary>
internal sealed class PeerRefusals
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(string reason) => _counts.AddOrUpdate(reason, 1, static (_, n) => n + 1);

    public long Count(string reason) => _counts.TryGetValue(reason, out var n) ? n : 0;

    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);
}

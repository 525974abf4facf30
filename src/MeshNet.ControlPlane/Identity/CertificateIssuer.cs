using System.Security.Cryptography.X509Certificates;
using Grpc.Core;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// One Certify decision, transport-free: authenticate the join token, check the CSR against the token's identity,
/// sign. The gRPC service only maps the outcome onto the wire.
/// </summary>
/// <param name="authenticator">Who other tokens than join tokens belong to (Kubernetes mode: TokenReview); null accepts join tokens only.</param>
internal sealed class CertificateIssuer(
    CertificateAuthorityProvider authorities, JoinTokenStore tokens, IdentityOptions options, TimeProvider time, ISidecarAuthenticator? authenticator = null)
{
    public string TrustDomain => options.TrustDomain;

    /// <summary>The CA in force now; a call signs with the one it read first (see <see cref="CertifyOutcome.Authority"/>).</summary>
    public CertificateAuthority Authority => authorities.Current;

    /// <param name="requestedTtl">Null or zero: the configured --cert-ttl; longer is capped to it.</param>
    public CertifyOutcome Certify(ReadOnlySpan<byte> csr, string? token, TimeSpan? requestedTtl)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new CertifyOutcome(null, null, new CertifyRefusal(StatusCode.Unauthenticated, "no join token (CertifyRequest.token or authorization: Bearer)"));
        }

        if (!tokens.TryAuthenticate(token, out var entry, out var tokenRefusal))
        {
            return new CertifyOutcome(null, null, CertifyRefusal.Denied(tokenRefusal));
        }

        return Sign(csr, entry.Namespace, entry.ServiceAccount, requestedTtl);
    }

    /// <summary>
    /// Certify with any token: join tokens as <see cref="Certify"/> does, other tokens through the authenticator when
    /// one is configured (a ServiceAccount token in Kubernetes mode).
    /// </summary>
    public async ValueTask<CertifyOutcome> CertifyAsync(ReadOnlyMemory<byte> csr, string? token, TimeSpan? requestedTtl, CancellationToken cancellationToken)
    {
        if (authenticator is null || string.IsNullOrEmpty(token) || token.StartsWith(JoinTokenStore.Prefix, StringComparison.Ordinal))
        {
            return Certify(csr.Span, token, requestedTtl);
        }

        var caller = await authenticator.AuthenticateAsync(token, cancellationToken).ConfigureAwait(false);
        return caller.Refusal is { } refusal
            ? new CertifyOutcome(null, null, refusal)
            : Sign(csr.Span, caller.Namespace!, caller.ServiceAccount!, requestedTtl);
    }

    /// <summary>Checks the CSR against the authenticated namespace and ServiceAccount, then signs.</summary>
    private CertifyOutcome Sign(ReadOnlySpan<byte> csr, string ns, string serviceAccount, TimeSpan? requestedTtl)
    {
        var identity = SpiffeId.For(options.TrustDomain, ns, serviceAccount);
        var ttl = requestedTtl is { } asked && asked > TimeSpan.Zero ? asked : options.CertTtl;
        if (ttl < IdentityOptions.MinimumCertTtl)
        {
            return new CertifyOutcome(identity, null, CertifyRefusal.Invalid($"requested ttl {ttl} is shorter than the minimum {IdentityOptions.MinimumCertTtl}"));
        }

        if (!CsrValidator.TryValidate(csr, identity, options.TrustDomain, out var publicKey, out var refusal))
        {
            return new CertifyOutcome(identity, null, refusal);
        }

        // One read: the leaf, its chain and the bundle in the reply must come from the same CA even if a reload
        // swaps it meanwhile.
        var authority = authorities.Current;
        var leaf = authority.Issue(publicKey, identity, ttl > options.CertTtl ? options.CertTtl : ttl, time.GetUtcNow());
        return leaf is null
            ? new CertifyOutcome(identity, null, new CertifyRefusal(StatusCode.FailedPrecondition, "the CA certificate has expired"))
            : new CertifyOutcome(identity, leaf, null) { Authority = authority };
    }
}

/// <summary>Exactly one of <see cref="Leaf"/> and <see cref="Refusal"/> is set.</summary>
/// <param name="Identity">The authenticated SPIFFE ID, once the token is known.</param>
internal sealed record CertifyOutcome(string? Identity, X509Certificate2? Leaf, CertifyRefusal? Refusal)
{
    /// <summary>The CA that signed <see cref="Leaf"/>: the reply's intermediates and trust bundle come from it.</summary>
    public CertificateAuthority? Authority { get; init; }
}

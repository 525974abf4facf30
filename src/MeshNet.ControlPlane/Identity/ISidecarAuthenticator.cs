namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// Who presents a Certify token. Join tokens (universal mode) are checked by <see cref="JoinTokenStore"/> inside
/// <see cref="CertificateIssuer"/>; any other token goes to the authenticator registered here, if one is
/// (Kubernetes mode: the API server's TokenReview of a ServiceAccount token).
/// </summary>
internal interface ISidecarAuthenticator
{
    ValueTask<SidecarAuthentication> AuthenticateAsync(string token, CancellationToken cancellationToken);
}

/// <summary>The namespace and ServiceAccount a token authenticates, or why it authenticates nothing.</summary>
internal sealed record SidecarAuthentication(string? Namespace, string? ServiceAccount, CertifyRefusal? Refusal)
{
    public static SidecarAuthentication Authenticated(string ns, string serviceAccount) => new(ns, serviceAccount, null);

    public static SidecarAuthentication Refused(CertifyRefusal refusal) => new(null, null, refusal);
}

using k8s;
using k8s.Models;

namespace MeshNet.Kubernetes.Api;

/// <summary>The API server's answer on a bearer token: who it belongs to, or why it is not valid.</summary>
/// <param name="Username">For a ServiceAccount token, <c>system:serviceaccount:&lt;namespace&gt;:&lt;name&gt;</c>.</param>
/// <param name="Audiences">The audiences the token is valid for, among those asked.</param>
/// <param name="Extra">Extra attributes, e.g. <c>authentication.kubernetes.io/pod-name</c> of a bound token.</param>
public sealed record TokenReviewResult(
    bool Authenticated,
    string? Username,
    IReadOnlyList<string> Audiences,
    string? Error,
    IReadOnlyDictionary<string, IList<string>> Extra)
{
    public const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>The namespace and name of the ServiceAccount the token was issued to, or null for any other user.</summary>
    public (string Namespace, string ServiceAccount)? ServiceAccount
    {
        get
        {
            if (Username is null || !Username.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
            {
                return null;
            }

            var parts = Username[ServiceAccountPrefix.Length..].Split(':');
            return parts is [{ Length: > 0 } ns, { Length: > 0 } name] ? (ns, name) : null;
        }
    }
}

/// <summary>Asks the API server (authentication.k8s.io/v1 TokenReview) whether a bearer token is valid, and for whom.</summary>
public sealed class TokenReviewClient(IKubernetes client)
{
    /// <param name="audiences">
    /// The audiences the token must be valid for (e.g. "meshnet" for a projected token requested with that audience);
    /// empty accepts the API server's own audience, i.e. a plain ServiceAccount token.
    /// </param>
    /// <exception cref="k8s.Autorest.HttpOperationException">The API server refused the review itself (RBAC: create tokenreviews).</exception>
    public async Task<TokenReviewResult> ReviewAsync(string token, IReadOnlyList<string> audiences, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        ArgumentNullException.ThrowIfNull(audiences);
        var review = new V1TokenReview
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "TokenReview",
            Spec = new V1TokenReviewSpec { Token = token, Audiences = audiences.Count > 0 ? [.. audiences] : null },
        };
        var answer = await client.AuthenticationV1.CreateTokenReviewAsync(review, cancellationToken: cancellationToken).ConfigureAwait(false);
        var status = answer?.Status;
        var extra = status?.User?.Extra is { } e ? new Dictionary<string, IList<string>>(e, StringComparer.Ordinal) : new Dictionary<string, IList<string>>(StringComparer.Ordinal);
        return new TokenReviewResult(
            status?.Authenticated == true,
            status?.User?.Username,
            status?.Audiences is { } a ? [.. a] : [],
            string.IsNullOrEmpty(status?.Error) ? null : status.Error,
            extra);
    }
}

using Grpc.Core;
using k8s.Autorest;
using MeshNet.Kubernetes.Api;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// Kubernetes mode: a sidecar proves its identity with its pod's ServiceAccount token (a projected token for
/// <c>--token-audience</c>), which the API server reviews (TokenReview). Only ServiceAccount users are identities:
/// <c>system:serviceaccount:&lt;ns&gt;:&lt;sa&gt;</c> becomes <c>spiffe://&lt;trust-domain&gt;/ns/&lt;ns&gt;/sa/&lt;sa&gt;</c>,
/// and the CSR must ask for exactly that. Answers are reused from a <see cref="TokenReviewCache"/>; a failed review
/// (the API server unreachable) is not an answer and is never cached.
/// </summary>
internal sealed partial class TokenReviewAuthenticator(
    TokenReviewClient reviews, IReadOnlyList<string> audiences, TokenReviewCache cache, ILogger<TokenReviewAuthenticator> logger)
    : ISidecarAuthenticator
{
    public async ValueTask<SidecarAuthentication> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (cache.TryGet(token, out var cached))
        {
            return Decide(cached);
        }

        TokenReviewResult result;
        try
        {
            result = await reviews.ReviewAsync(token, audiences, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException || ex is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Not the token's fault: UNAVAILABLE makes the sidecar retry with backoff instead of treating it as a refusal.
            var reason = ex is HttpOperationException { Response: { } response } ? $"HTTP {(int)response.StatusCode}" : ex.Message;
            LogReviewFailed(reason, ex);
            return SidecarAuthentication.Refused(new CertifyRefusal(StatusCode.Unavailable, $"TokenReview failed: {reason}"));
        }

        cache.Add(token, result);
        return Decide(result);
    }

    /// <summary>The verdict on a review's answer: a pure function of it, so a cached answer gives the same verdict.</summary>
    private SidecarAuthentication Decide(TokenReviewResult result)
    {
        if (!result.Authenticated)
        {
            return SidecarAuthentication.Refused(CertifyRefusal.Denied($"the Kubernetes API did not authenticate the token: {result.Error ?? "no reason given"}"));
        }

        if (audiences.Count > 0 && result.Audiences.Count > 0 && !result.Audiences.Any(a => audiences.Contains(a, StringComparer.Ordinal)))
        {
            return SidecarAuthentication.Refused(CertifyRefusal.Denied($"the token is for audiences {string.Join(",", result.Audiences)}, not {string.Join(",", audiences)}"));
        }

        if (result.ServiceAccount is not var (ns, serviceAccount))
        {
            return SidecarAuthentication.Refused(CertifyRefusal.Denied($"the token belongs to \"{result.Username}\", not to a ServiceAccount"));
        }

        return SidecarAuthentication.Authenticated(ns, serviceAccount);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "TokenReview failed ({Reason}); the sidecar will retry")]
    private partial void LogReviewFailed(string reason, Exception exception);
}

using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// <c>POST /identity/tokens {"namespace","serviceAccount","ttl"}</c> on the admin port: mints a join token and returns
/// it once. Loopback callers only: whoever can mint a token can obtain any identity, so this is an operator action on
/// the control plane's own host, like reading its state directory.
/// </summary>
internal static partial class JoinTokenEndpoint
{
    public static async Task<IResult> IssueAsync(HttpContext context, JoinTokenStore tokens, IdentityOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            return Problem(StatusCodes.Status403Forbidden, "join tokens are issued to loopback callers only");
        }

        // Also keeps browsers out: a cross-site form cannot send application/json without a CORS preflight.
        if (!context.Request.HasJsonContentType())
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "expected Content-Type: application/json");
        }

        JoinTokenRequest? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<JoinTokenRequest>(context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, $"invalid JSON: {ex.Message}");
        }

        if (body is null || string.IsNullOrEmpty(body.Namespace) || string.IsNullOrEmpty(body.ServiceAccount))
        {
            return Problem(StatusCodes.Status400BadRequest, "namespace and serviceAccount are required");
        }

        TimeSpan ttl;
        try
        {
            ttl = string.IsNullOrEmpty(body.Ttl) ? JoinTokenStore.DefaultTtl : IdentityDurations.Parse("ttl", body.Ttl);
        }
        catch (FormatException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, ex.Message);
        }

        if (JoinTokenStore.Validate(body.Namespace, body.ServiceAccount, ttl) is { } problem)
        {
            return Problem(StatusCodes.Status400BadRequest, problem);
        }

        var issued = tokens.Issue(body.Namespace, body.ServiceAccount, ttl);
        var entry = issued.Entry;
        var identity = SpiffeId.For(options.TrustDomain, entry.Namespace, entry.ServiceAccount);
        Log.Issued(loggers.CreateLogger(typeof(JoinTokenEndpoint).FullName!), identity, entry.Sha256[..12], entry.ExpiresAt.UtcDateTime);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Ok(new JoinTokenResponse(issued.Token, entry.Namespace, entry.ServiceAccount, identity, entry.ExpiresAt));
    }

    private static IResult Problem(int status, string message) => Results.Json(new JoinTokenError(message), statusCode: status);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Join token issued for {Identity} (sha256 {HashPrefix}...), expires {ExpiresAt:u}")]
        public static partial void Issued(ILogger logger, string identity, string hashPrefix, DateTime expiresAt);
    }
}

/// <param name="Ttl">A duration with a unit ("24h", "90m"); absent: 24h.</param>
internal sealed record JoinTokenRequest(string? Namespace, string? ServiceAccount, string? Ttl);

internal sealed record JoinTokenResponse(string Token, string Namespace, string ServiceAccount, string Identity, DateTimeOffset ExpiresAt);

internal sealed record JoinTokenError(string Error);

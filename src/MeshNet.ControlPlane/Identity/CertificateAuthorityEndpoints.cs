using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// The CA on the admin port, for an operator walking through a trust-anchor rotation:
/// <c>GET /identity/ca</c> -> {"signer":{"subject","sha256","notAfter"},"bundle":[{"subject","sha256","notAfter"}],
/// "loadedAt","lastError"}; <c>POST /identity/ca/reload</c> (loopback only) reloads the files (or reads the CA Secret) now
/// instead of at the next poll and answers 200 with the same view, or 422 with the reason the last good CA stays in force.
/// </summary>
internal static class CertificateAuthorityEndpoints
{
    public static IEndpointRouteBuilder MapCertificateAuthorityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/identity/ca", (CertificateAuthorityProvider provider) => Results.Ok(View(provider)));
        endpoints.MapPost("/identity/ca/reload", async (HttpContext context, CertificateAuthorityReloader reloader, CertificateAuthorityProvider provider) =>
        {
            var remote = context.Connection.RemoteIpAddress;
            if (remote is null || !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
            {
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "the CA is reloaded by loopback callers only");
            }

            var error = await reloader.ReloadAsync(context.RequestAborted).ConfigureAwait(false);
            return error is null
                ? Results.Ok(View(provider))
                : Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, detail: error);
        });
        return endpoints;
    }

    private static CertificateAuthorityView View(CertificateAuthorityProvider provider)
    {
        var authority = provider.Current;
        return new CertificateAuthorityView(
            CertificateView.From(authority.Signer),
            [.. authority.TrustBundle.Select(CertificateView.From)],
            provider.LoadedAt,
            provider.LastError);
    }

    internal sealed record CertificateAuthorityView(CertificateView Signer, IReadOnlyList<CertificateView> Bundle, DateTimeOffset LoadedAt, string? LastError);

    internal sealed record CertificateView(string Subject, string Sha256, DateTimeOffset NotAfter)
    {
        public static CertificateView From(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) => new(
            certificate.Subject,
            Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
    }
}

using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace MeshNet.ControlPlane.Admin;

/// <summary>
/// GET /ui: the dashboard's bundle (built from ui/ into wwwroot/ui and embedded in the assembly), so it works from any
/// working directory and needs nothing at run time beyond the admin API it reads.
/// </summary>
internal static class DashboardEndpoints
{
    internal const string ResourcePrefix = "MeshNet.Dashboard/";

    private static readonly Lazy<FrozenDictionary<string, DashboardFile>> Files = new(LoadFiles);

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Routing treats "/ui" and "/ui/" alike, hence one endpoint that tells them apart itself.
        endpoints.MapGet("/ui/{file?}", (HttpContext context, string? file) => file is not null
            ? Serve(context, file)
            : context.Request.Path.Value?.EndsWith('/') == true
                ? Serve(context, "index.html")
                // Relative asset URLs in index.html resolve against /ui/, not /, so the bare path must redirect.
                : Results.Redirect(context.Request.PathBase + "/ui/"));
        return endpoints;
    }

    internal static IReadOnlyCollection<string> FileNames => Files.Value.Keys;

    private static IResult Serve(HttpContext context, string name)
    {
        if (!Files.Value.TryGetValue(name, out var file))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ETag = file.ETag;
        // Revalidate every time: the names carry no hash, and an upgraded control plane must not serve a stale bundle.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy =
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
        if (context.Request.Headers.IfNoneMatch.Contains(file.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(file.Content, file.ContentType);
    }

    private static FrozenDictionary<string, DashboardFile> LoadFiles()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var files = new Dictionary<string, DashboardFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            files[name] = DashboardFile.Read(assembly, resource, name);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record DashboardFile(byte[] Content, string ContentType, string ETag)
    {
        public static DashboardFile Read(Assembly assembly, string resource, string name)
        {
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"embedded dashboard file {resource} is missing");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"").ToString();
            return new DashboardFile(content, ContentTypeOf(name), etag);
        }

        private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".png" => "image/png",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
    }
}

using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Authorization;

/// <summary>
/// Copies the request as it came (like <see cref="HttpTransformer.Empty"/>: original Host, no X-Forwarded-*) but
/// addresses the app with the normalised path that was authorised, byte for byte: Kestrel's decoded Path re-encoded
/// by YARP could differ from it (an escaped reserved character would come out unescaped).
/// </summary>
internal sealed class AuthorizedPathTransformer : HttpTransformer
{
    private const string ItemKey = "meshnet.authorized-path";

    // The path is already in normal form; System.Uri must not re-canonicalise it.
    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private AuthorizedPathTransformer()
    {
    }

    public static AuthorizedPathTransformer Instance { get; } = new();

    public static void Remember(HttpContext context, string path) => context.Items[ItemKey] = path;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(proxyRequest);
        ArgumentNullException.ThrowIfNull(destinationPrefix);
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        if (httpContext.Items.TryGetValue(ItemKey, out var value) && value is string path && path.StartsWith('/'))
        {
            var prefix = destinationPrefix.EndsWith('/') ? destinationPrefix[..^1] : destinationPrefix;
            proxyRequest.RequestUri = new Uri(prefix + path + httpContext.Request.QueryString.Value, Verbatim);
        }
    }
}

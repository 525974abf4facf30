using Microsoft.AspNetCore.Connections.Features;
using MeshNet.Proxy.Tls;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Authorization;

/// <summary>
/// The caller's SPIFFE ID, as the mTLS layer established it from the peer certificate: the connection's
/// <see cref="MeshPeer"/>, or a string under <see cref="ItemKey"/> on the request's <see cref="HttpContext.Items"/> or the
/// connection's items (<see cref="IConnectionItemsFeature"/>). Absent means a plaintext caller with no identity.
/// </summary>
internal static class PeerIdentity
{
    public const string ItemKey = "meshnet.peer-identity";

    /// <summary>Written in log lines for a caller without an identity.</summary>
    public const string Plaintext = "plaintext";

    public static string? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(ItemKey, out var value) && value is string { Length: > 0 } fromRequest)
        {
            return fromRequest;
        }

        if (context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out value) == true && value is string { Length: > 0 } fromConnection)
        {
            return fromConnection;
        }

        // The inbound mTLS listener records the verified peer per connection.
        return MeshPeer.From(context)?.Identity?.ToString();
    }

    /// <summary>The namespace of "spiffe://trust-domain/ns/NAMESPACE/sa/ACCOUNT", or null for anything else.</summary>
    public static string? NamespaceOf(string? spiffeId)
    {
        const string scheme = "spiffe://";
        if (spiffeId is null || !spiffeId.StartsWith(scheme, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = spiffeId.AsSpan(scheme.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || !rest[slash..].StartsWith("/ns/", StringComparison.Ordinal))
        {
            return null;
        }

        rest = rest[(slash + "/ns/".Length)..];
        var end = rest.IndexOf("/sa/", StringComparison.Ordinal);
        return end <= 0 ? null : rest[..end].ToString();
    }
}

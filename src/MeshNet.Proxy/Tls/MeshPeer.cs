using MeshNet.Proxy.Identity;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Tls;

/// <summary>
/// Who is on the other end of an inbound connection: a verified SPIFFE ID (mTLS) or nobody in particular
/// (plaintext). Set once per connection by the inbound listener; policy and logs read it with <see cref="From"/>.
/// </summary>
internal sealed record MeshPeer(SpiffeId? Identity)
{
    /// <summary>
    /// Request header the inbound sidecar sets for the app when mTLS is on: the caller's SPIFFE ID, or
    /// "plaintext". Any copy arriving from the network is removed first.
    /// </summary>
    public const string Header = "x-meshnet-peer";

    public const string PlaintextLabel = "plaintext";

    private const string ItemKey = "meshnet.peer";

    public static MeshPeer Plaintext { get; } = new((SpiffeId?)null);

    public bool IsMutualTls => Identity is not null;

    public string Label => Identity?.ToString() ?? PlaintextLabel;

    /// <summary>The connection's peer; null on listeners other than inbound, or when mTLS is off.</summary>
    public static MeshPeer? From(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var value) == true ? value as MeshPeer : null;

    public static void Set(IDictionary<object, object?> connectionItems, MeshPeer peer) => connectionItems[ItemKey] = peer;
}

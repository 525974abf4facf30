using MeshNet.Proxy.Configuration;
using Microsoft.AspNetCore.Http;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Balancing;

/// <summary>
/// Consistent hashing on a request key (a header, the client IP or a cookie): the same key reaches the same
/// destination while it is available. An unavailable owner (ejected, or already tried by this request) passes the
/// key to the next destination clockwise, so keys of other destinations stay put. No key: random.
/// </summary>
internal sealed class RingHashLoadBalancer(HashRing ring, Proto.HashOn hashOn) : LoadBalancer
{
    /// <summary>Clusters up to this size track visited destinations on the stack while walking past unavailable ones.</summary>
    private const int StackVisited = 512;

    public override OutboundDestination? Pick(HttpContext? context, OutboundDestination[] destinations, in DestinationFilter filter)
    {
        if (destinations.Length == 0)
        {
            return null;
        }

        if (destinations.Length != ring.DestinationCount || context is null || KeyHash(context, hashOn) is not { } hash)
        {
            return RandomLoadBalancer.Instance.Pick(context, destinations, filter);
        }

        var point = ring.PointFor(hash);
        var owner = destinations[ring.OwnerAt(point)];
        return filter.Allows(owner) ? owner : Walk(destinations, filter, point);
    }

    /// <summary>The key's hash, or null when the request does not carry the key.</summary>
    public static ulong? KeyHash(HttpContext context, Proto.HashOn hashOn)
    {
        switch (hashOn.KeyCase)
        {
            case Proto.HashOn.KeyOneofCase.Header:
                var values = context.Request.Headers[hashOn.Header];
                return values.Count > 0 && values[0] is { Length: > 0 } header ? StableHash.Of(header.AsSpan()) : null;
            case Proto.HashOn.KeyOneofCase.SourceIp when hashOn.SourceIp:
                return ClusterBalancing.ClientAddress(context.Connection.RemoteIpAddress) is { } address ? StableHash.Of(address) : null;
            case Proto.HashOn.KeyOneofCase.Cookie:
                return context.Request.Cookies[hashOn.Cookie] is { Length: > 0 } cookie ? StableHash.Of(cookie.AsSpan()) : null;
            default:
                return null;
        }
    }

    private OutboundDestination? Walk(OutboundDestination[] destinations, in DestinationFilter filter, int start)
    {
        // Each destination is asked once; a refused one owns many points further round the ring.
        Span<bool> visited = destinations.Length <= StackVisited ? stackalloc bool[destinations.Length] : new bool[destinations.Length];
        visited[ring.OwnerAt(start)] = true;
        var remaining = destinations.Length - 1;
        for (var step = 1; step < ring.PointCount && remaining > 0; step++)
        {
            var index = ring.OwnerAt((start + step) % ring.PointCount);
            if (visited[index])
            {
                continue;
            }

            visited[index] = true;
            remaining--;
            if (filter.Allows(destinations[index]))
            {
                return destinations[index];
            }
        }

        return null;
    }
}

using System.Net.Security;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// Intercepted non-HTTP traffic between meshed pods travels as mTLS whose ALPN is "meshnet-tcp": the client sidecar
/// dials the destination pod's original IP:port, the destination's interception redirects it to the inbound
/// listener, whose sniffer sees a ClientHello offering this protocol and terminates it (the original port, from
/// SO_ORIGINAL_DST, is the app port). An application's own TLS offers other protocols (h2, http/1.1, none) and passes
/// to the app untouched. HTTP between sidecars keeps h2/http/1.1 to the inbound port itself.
/// </summary>
internal static class MeshTcp
{
    public static readonly SslApplicationProtocol Alpn = new("meshnet-tcp"u8.ToArray());

    public static readonly List<SslApplicationProtocol> Protocols = [Alpn];
}

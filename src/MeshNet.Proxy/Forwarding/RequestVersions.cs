using System.Net;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// The next hop speaks the version the client spoke: HTTP/2 goes out as h2c with prior knowledge (exact, since
/// cleartext has no ALPN to negotiate), HTTP/1.x stays HTTP/1.1.
/// </summary>
internal static class RequestVersions
{
    // How long a request or stream may go without any bytes either way before it is cut: Envoy's default stream
    // idle timeout, long enough for quiet gRPC streams (YARP's own default, 100 s, is not).
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(5);

    private static readonly ForwarderRequestConfig Http2 = new()
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = IdleTimeout,
    };

    private static readonly ForwarderRequestConfig Http11 = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        ActivityTimeout = IdleTimeout,
    };

    public static ForwarderRequestConfig For(HttpRequest request) => HttpProtocol.IsHttp2(request.Protocol) ? Http2 : Http11;
}

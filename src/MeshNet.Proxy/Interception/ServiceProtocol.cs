using System.Collections.Frozen;

namespace MeshNet.Proxy.Interception;

/// <summary>How an intercepted connection to a Service's ClusterIP:port is carried.</summary>
internal enum ServiceTransport
{
    /// <summary>The HTTP pipeline: routes, retries, HTTP telemetry.</summary>
    Http,

    /// <summary>Bytes balanced over the Service's endpoints as they are (mesh mTLS to a meshed endpoint).</summary>
    Tcp,

    /// <summary>Unknown: the first bytes decide (an HTTP request line or the h2 preface means HTTP).</summary>
    Sniff,
}

/// <summary>
/// The L4/HTTP decision from a cluster's app protocol (the Service port's appProtocol, else its protocol, lower case).
/// </summary>
/// <remarks>
/// "tcp" is sniffed unless the port declared it as its appProtocol: the control plane sends the port's protocol when
/// appProtocol is unset, so "tcp" is what every Service without an appProtocol says, HTTP ones included. Sniffing waits
/// for the client's first bytes; a server-first protocol (the server greets first: MySQL, SMTP, ...) sends none, and
/// pays the sniff timeout (<see cref="InboundSniffer"/>, half a second) once per connection before its greeting
/// arrives. Declaring any non-HTTP appProtocol on the Service port (tcp, mysql, redis, postgresql, ...) avoids it.
/// </remarks>
internal static class ServiceProtocol
{
    private static readonly FrozenSet<string> HttpProtocols = new[]
    {
        "http", "http2", "h2c", "grpc", "grpc-web", "ws", "kubernetes.io/h2c", "kubernetes.io/ws",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> Unknown = new[] { string.Empty, "tcp" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// HTTP for the HTTP family, sniff for "" and an undeclared "tcp", L4 for anything else: a declared "tcp", a named
    /// non-HTTP protocol, and also https/wss/tls, whose bytes are the application's own TLS that only the endpoint can
    /// terminate.
    /// </summary>
    /// <param name="declared">The port named <paramref name="appProtocol"/> itself (not just its protocol).</param>
    public static ServiceTransport For(string? appProtocol, bool declared = false) =>
        appProtocol is null || (Unknown.Contains(appProtocol) && !(declared && appProtocol.Length > 0)) ? ServiceTransport.Sniff
        : HttpProtocols.Contains(appProtocol) ? ServiceTransport.Http
        : ServiceTransport.Tcp;
}

using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Telemetry.Tracing;

/// <summary>
/// Span attribute names: OpenTelemetry HTTP semantic conventions (stable, v1.23+) and the mesh's own under
/// <c>meshnet.</c>.
/// </summary>
internal static class SpanTags
{
    public const string Method = "http.request.method";
    public const string StatusCode = "http.response.status_code";
    public const string UrlPath = "url.path";
    public const string UrlScheme = "url.scheme";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string PeerAddress = "network.peer.address";
    public const string PeerPort = "network.peer.port";
    public const string ProtocolVersion = "network.protocol.version";
    public const string ErrorType = "error.type";

    public const string Direction = "meshnet.direction";
    public const string SourceWorkload = "meshnet.source.workload";
    public const string SourceNamespace = "meshnet.source.namespace";
    public const string DestinationWorkload = "meshnet.destination.workload";
    public const string DestinationService = "meshnet.destination.service";
    public const string DestinationNamespace = "meshnet.destination.namespace";
    public const string DestinationEndpoint = "meshnet.destination.endpoint";
    public const string RetryAttempt = "meshnet.retry.attempt";
    public const string MeshError = "meshnet.error";
    public const string PeerIdentity = "meshnet.peer.identity";

    /// <summary>The conventions' known methods as they are; anything else is "_OTHER" (bounded names and values).</summary>
    public static string MethodOf(string method) =>
        HttpMethods.GetCanonicalizedValue(method) is var known
        && (HttpMethods.IsGet(known) || HttpMethods.IsPost(known) || HttpMethods.IsPut(known) || HttpMethods.IsDelete(known)
            || HttpMethods.IsHead(known) || HttpMethods.IsOptions(known) || HttpMethods.IsPatch(known)
            || HttpMethods.IsTrace(known) || HttpMethods.IsConnect(known))
            ? known
            : "_OTHER";

    /// <summary>"HTTP/1.1" → "1.1", "HTTP/2" → "2".</summary>
    public static string ProtocolVersionOf(string protocol) =>
        HttpProtocol.IsHttp11(protocol) ? "1.1"
        : HttpProtocol.IsHttp2(protocol) ? "2"
        : HttpProtocol.IsHttp3(protocol) ? "3"
        : HttpProtocol.IsHttp10(protocol) ? "1.0"
        : protocol;
}

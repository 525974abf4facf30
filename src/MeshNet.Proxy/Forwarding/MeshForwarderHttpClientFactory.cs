using System.Globalization;
using System.Net.Http;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Interception;
using MeshNet.Proxy.Tls;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// YARP's client factory (no proxy, no redirects, no cookies, no decompression, multiple HTTP/2 connections) with
/// pool settings for a sidecar whose next hops are a handful of long-lived local endpoints, and a cluster's
/// transport limits from its metadata (connect timeout, idle timeout, max connections per endpoint). The old
/// client, and so its warm connections, is kept unless one of those limits changed: endpoint and weight changes
/// never reset connections. Connections to an endpoint with an identity are mTLS (<see cref="OutboundTlsConnector"/>).
/// </summary>
internal sealed class MeshForwarderHttpClientFactory(SocketMarker marker, OutboundTlsConnector? connector = null) : ForwarderHttpClientFactory
{
    // A refused or unreachable endpoint must become a 503 quickly rather than hang the caller; on a cluster
    // network a healthy connect takes well under a millisecond, so 5 s only trips on a black hole.
    private static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    // Keep warm connections long enough to span bursts; endpoints change through config, which builds new clients.
    private static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(2);

    private static readonly string[] TransportKeys = [MeshMetadata.ConnectTimeoutMs, MeshMetadata.IdleTimeoutMs, MeshMetadata.MaxConnections];

    protected override bool CanReuseOldClient(ForwarderHttpClientContext context) =>
        base.CanReuseOldClient(context)
        && TransportKeys.All(key => string.Equals(Value(context.OldMetadata, key), Value(context.NewMetadata, key), StringComparison.Ordinal));

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        var metadata = context.NewMetadata;
        handler.ConnectTimeout = Milliseconds(metadata, MeshMetadata.ConnectTimeoutMs) ?? DefaultConnectTimeout;
        handler.PooledConnectionIdleTimeout = Milliseconds(metadata, MeshMetadata.IdleTimeoutMs) ?? DefaultIdleTimeout;
        handler.PooledConnectionLifetime = Timeout.InfiniteTimeSpan;
        handler.MaxConnectionsPerServer = Number(metadata, MeshMetadata.MaxConnections) ?? int.MaxValue;
        // The sidecar writes trace context itself (Telemetry/Tracing): HttpClient must neither start an Activity of
        // its own nor replace the traceparent with one nobody exports.
        handler.ActivityHeadersPropagator = null;
        if (connector is { IsNeeded: true })
        {
            // Marked, and TLS to endpoints that have an identity.
            handler.ConnectCallback = connector.ConnectAsync;
        }
        else if (marker.Mark != 0)
        {
            // Marked so the interception rules let the sidecar's own connections out instead of redirecting them.
            handler.ConnectCallback = marker.ConnectHttpAsync;
        }
    }

    private static string? Value(IReadOnlyDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) ? value : null;

    private static int? Number(IReadOnlyDictionary<string, string>? metadata, string key) =>
        int.TryParse(Value(metadata, key), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 ? number : null;

    private static TimeSpan? Milliseconds(IReadOnlyDictionary<string, string>? metadata, string key) =>
        long.TryParse(Value(metadata, key), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : null;
}

using System.Net.Http;
using MeshNet.Proxy.Interception;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// YARP's client factory (no proxy, no redirects, no cookies, no decompression, multiple HTTP/2 connections) with
/// pool settings for a sidecar whose next hops are a handful of long-lived local endpoints.
/// </summary>
internal sealed class MeshForwarderHttpClientFactory(SocketMarker marker) : ForwarderHttpClientFactory
{
    // A refused or unreachable endpoint must become a 503 quickly rather than hang the caller; on a cluster
    // network a healthy connect takes well under a millisecond, so 5 s only trips on a black hole.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    // Keep warm connections long enough to span bursts; endpoints change through config, which builds new clients.
    private static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = ConnectTimeout;
        handler.PooledConnectionIdleTimeout = PooledConnectionIdleTimeout;
        handler.PooledConnectionLifetime = Timeout.InfiniteTimeSpan;
        handler.MaxConnectionsPerServer = int.MaxValue;
        if (marker.Mark != 0)
        {
            // Marked so the interception rules let the sidecar's own connections out instead of redirecting them.
            handler.ConnectCallback = marker.ConnectHttpAsync;
        }
    }
}

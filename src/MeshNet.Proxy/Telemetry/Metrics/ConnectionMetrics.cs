using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace MeshNet.Proxy.Telemetry.Metrics;

/// <summary>
/// The TCP counters of a listener: connections opened and closed, bytes received and sent. Installed innermost, after
/// TLS, so bytes are the HTTP bytes (TLS records' overhead excluded) and an inbound connection is known to be mTLS.
/// Connections passed through as plain TCP by interception never reach it and are not counted.
/// </summary>
internal static class ConnectionMetrics
{
    public static void UseConnectionMetrics(this ListenOptions listen, TrafficDirection direction) =>
        listen.Use(next =>
        {
            var counters = listen.ApplicationServices.GetRequiredService<ProxyMetrics>().Connections;
            return connection => TrackAsync(connection, next, counters, direction);
        });

    private static async Task TrackAsync(ConnectionContext connection, ConnectionDelegate next, ConnectionCounters counters, TrafficDirection direction)
    {
        var tls = connection.Features.Get<ITlsHandshakeFeature>() is not null;
        var series = counters.For(direction, tls);
        series.Opened.Inc();
        var transport = connection.Transport;
        connection.Transport = new CountingDuplexPipe(transport, series.Received, series.Sent);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            connection.Transport = transport;
            series.Closed.Inc();
        }
    }
}

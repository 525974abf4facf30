using System.Net;
using MeshNet.Proxy.Authorization;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Telemetry;
using MeshNet.Proxy.Telemetry.Metrics;
using MeshNet.Proxy.Tls;
using MeshNet.Protocol.V1;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// Connection middleware that tells redirected connections from explicit ones. It must run before anything that
/// reads bytes (the h2c detector waits for the client to speak; a server-first protocol would never get past it),
/// so it is registered first on the listener.
/// </summary>
internal sealed partial class InterceptionMiddleware(
    RouteTablePublisher routes,
    TcpPassthrough passthrough,
    MeshTcpTunnel tunnel,
    MeshTcpTargets meshTargets,
    ICertificateSource certificates,
    PeerRefusals refusals,
    ListenerEndpoints listeners,
    ProxyOptions options,
    ConfigApplier applier,
    SocketMarker marker,
    ProxyMetrics metrics,
    ILogger<InterceptionMiddleware> logger)
{
    private readonly InboundAuthorization _authorization = new(() => applier.Current.Inbound, logger);
    private readonly ServiceTcpProxy _serviceTcp = new(marker, tunnel, certificates, () => applier.Current, logger);

    public static void UseOutboundInterception(ListenOptions listen) =>
        listen.Use(next =>
        {
            var middleware = listen.ApplicationServices.GetRequiredService<InterceptionMiddleware>();
            return connection => middleware.OnOutboundAsync(connection, next);
        });

    public static void UseInboundInterception(ListenOptions listen) =>
        listen.Use(next =>
        {
            var middleware = listen.ApplicationServices.GetRequiredService<InterceptionMiddleware>();
            return connection => middleware.OnInboundAsync(connection, next);
        });

    /// <summary>
    /// Explicit mode (the app dialled this listener): HTTP routed by Host. Redirected to a known virtual-host
    /// domain (ClusterIP:port, headless pod IP:port): HTTP routed by that domain, or, when the connection is not HTTP,
    /// its bytes balanced over the Service's endpoints (<see cref="ServiceTcpProxy"/>). To a meshed pod's port that a
    /// Service targets, while this sidecar holds a certificate: the bytes wrapped in mesh mTLS (<see cref="MeshTcp"/>).
    /// Anything else: bytes piped to where the app was going, whatever the protocol.
    /// </summary>
    public async Task OnOutboundAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var original = Redirected(connection);
        if (original is null || DialledThisListener(original))
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var key = InterceptedConnection.DomainKey(original);
        if (routes.Current.TryFind(key, out var host))
        {
            if (host.ConnectionRoute?.PickCluster() is { } cluster && await IsL4Async(connection, cluster).ConfigureAwait(false))
            {
                await CountedAsync(connection, () => _serviceTcp.RunAsync(connection, original, cluster)).ConfigureAwait(false);
                return;
            }

            InterceptedConnection.SetVirtualHost(connection.Items, original, key);
            await next(connection).ConfigureAwait(false);
            return;
        }

        if (certificates.Enabled && meshTargets.IdentityFor(original) is { } identity)
        {
            await tunnel.OriginateAsync(connection, original, identity).ConfigureAwait(false);
            return;
        }

        LogPassthrough(logger, original);
        await passthrough.RunAsync(connection, original).ConfigureAwait(false);
    }

    /// <summary>
    /// A redirected inbound connection is delivered to the app port it was addressed to: HTTP through the inbound
    /// handler (whose mTLS middleware applies the mode), a sidecar's mesh mTLS terminated here and authorized with the
    /// caller's identity, anything else piped to the app as is, except in STRICT, where it is closed: a peer that is
    /// not proving a mesh identity is plaintext, whatever its bytes look like.
    /// </summary>
    public async Task OnInboundAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (Redirected(connection) is not { } original)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        if (listeners.IsOwnPort(original.Port))
        {
            connection.Abort(new ConnectionAbortedException("redirected to one of the sidecar's own ports"));
            return;
        }

        var app = new IPEndPoint(options.AppAddress, original.Port);
        switch (await InboundSniffer.SniffAsync(connection.Transport.Input, connection.ConnectionClosed).ConfigureAwait(false))
        {
            case InboundProtocol.Http:
                InterceptedConnection.SetTargetPort(connection.Items, original.Port);
                await next(connection).ConfigureAwait(false);
                return;
            case InboundProtocol.MeshTls when certificates.Enabled && Mode != MtlsMode.Disabled:
                await using (var session = await tunnel.AcceptAsync(connection).ConfigureAwait(false))
                {
                    if (session is not null && Authorize(connection, session.Peer.ToString(), original.Port))
                    {
                        await tunnel.RelayToAppAsync(connection, session, app).ConfigureAwait(false);
                    }
                }

                return;
            case InboundProtocol.MeshTls:
                // No identity here, or the namespace disables mTLS: the client must not believe it reached a mesh peer.
                Refuse(connection, certificates.Enabled ? PeerRejection.TlsWhenDisabled : PeerRejection.NoLocalCertificate);
                return;
            default:
                if (certificates.Enabled && Mode == MtlsMode.Strict)
                {
                    Refuse(connection, PeerRejection.PlaintextInStrict);
                    return;
                }

                if (Authorize(connection, principal: null, original.Port))
                {
                    await passthrough.RunAsync(connection, app).ConfigureAwait(false);
                }

                return;
        }
    }

    /// <summary>
    /// L4 when the cluster's app protocol names a non-HTTP protocol, HTTP when it names an HTTP one, else whatever the
    /// first bytes say (<see cref="ServiceProtocol"/> explains the cost for a server-first protocol).
    /// </summary>
    private async Task<bool> IsL4Async(ConnectionContext connection, ClusterEntry cluster)
    {
        var config = applier.Current.Clusters.GetValueOrDefault(cluster.Name);
        return ServiceProtocol.For(config?.AppProtocol, config?.AppProtocolDeclared ?? false) switch
        {
            ServiceTransport.Http => false,
            ServiceTransport.Tcp => true,
            _ => await InboundSniffer.SniffAsync(connection.Transport.Input, connection.ConnectionClosed).ConfigureAwait(false) != InboundProtocol.Http,
        };
    }

    /// <summary>
    /// An L4 connection leaves the listener's pipeline here, before its connection metrics: counted the same way (the
    /// app's bytes, outbound, not TLS on the app's side) so TCP through a ClusterIP shows in the TCP counters.
    /// </summary>
    private async Task CountedAsync(ConnectionContext connection, Func<Task> run)
    {
        var series = metrics.Connections.For(TrafficDirection.Outbound, tls: false);
        series.Opened.Inc();
        var transport = connection.Transport;
        connection.Transport = new CountingDuplexPipe(transport, series.Received, series.Sent);
        try
        {
            await run().ConfigureAwait(false);
        }
        finally
        {
            connection.Transport = transport;
            series.Closed.Inc();
        }
    }

    private MtlsMode Mode => applier.Current.Inbound?.Mtls ?? MtlsMode.Permissive;

    /// <summary>L4 authorization: only the port and the caller's identity (null for plaintext) are known; deny closes.</summary>
    private bool Authorize(ConnectionContext connection, string? principal, int port)
    {
        if (_authorization.AuthorizeConnection(principal, port))
        {
            return true;
        }

        connection.Abort(new ConnectionAbortedException("denied by authorization policy"));
        return false;
    }

    private void Refuse(ConnectionContext connection, string reason)
    {
        refusals.Add(reason);
        LogRefused(logger, connection.RemoteEndPoint, reason);
        connection.Abort(new ConnectionAbortedException(reason));
    }

    /// <summary>The pre-NAT destination when it differs from where the connection landed, else null.</summary>
    private static IPEndPoint? Redirected(ConnectionContext connection)
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket
            || OriginalDestination.TryRead(socket) is not { } original)
        {
            return null;
        }

        return connection.LocalEndPoint is IPEndPoint local && local.Port == original.Port && Same(local.Address, original.Address)
            ? null
            : original;
    }

    /// <summary>
    /// An app told to use its sidecar explicitly at POD_IP:15001 is redirected to 127.0.0.1:15001 by the rules
    /// (the pod IP is not loopback); that is still explicit mode, not a destination to pass through to.
    /// </summary>
    private bool DialledThisListener(IPEndPoint original) =>
        original.Port == listeners.OutboundPort
        && (IPAddress.IsLoopback(original.Address) || Same(original.Address, listeners.Inbound.Address) || Same(original.Address, listeners.Outbound.Address));

    private static bool Same(IPAddress a, IPAddress b) =>
        (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused intercepted inbound connection from {Remote}: {Reason}")]
    private static partial void LogRefused(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Passing through an intercepted connection to {Destination}")]
    private static partial void LogPassthrough(ILogger logger, IPEndPoint destination);
}

using System.Net;
using MeshNet.Proxy.Authorization;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Hosting;
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
internal sealed partial class InterceptionMiddleware(RouteTablePublisher routes, TcpPassthrough passthrough, ListenerEndpoints listeners, ProxyOptions options, ConfigApplier applier, ILogger<InterceptionMiddleware> logger)
{
    private readonly InboundAuthorization _authorization = new(() => applier.Current.Inbound, logger);

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
    /// domain (ClusterIP:port, headless pod IP:port): HTTP routed by that domain. Anything else: bytes piped to
    /// where the app was going, whatever the protocol.
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
        if (routes.Current.TryFind(key, out _))
        {
            InterceptedConnection.SetVirtualHost(connection.Items, original, key);
            await next(connection).ConfigureAwait(false);
            return;
        }

        LogPassthrough(logger, original);
        await passthrough.RunAsync(connection, original).ConfigureAwait(false);
    }

    /// <summary>
    /// A redirected inbound connection is delivered to the app port it was addressed to: HTTP through the
    /// inbound handler, anything else piped to the app as is.
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

        if (await HttpSniffer.IsHttpAsync(connection.Transport.Input, connection.ConnectionClosed).ConfigureAwait(false))
        {
            InterceptedConnection.SetTargetPort(connection.Items, original.Port);
            await next(connection).ConfigureAwait(false);
            return;
        }

        // Not HTTP: only the port is known, and the caller has no identity (TLS is not terminated on this path).
        if (!_authorization.AuthorizeConnection(principal: null, original.Port))
        {
            connection.Abort(new ConnectionAbortedException("denied by authorization policy"));
            return;
        }

        await passthrough.RunAsync(connection, new IPEndPoint(options.AppAddress, original.Port)).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Passing through an intercepted connection to {Destination}")]
    private static partial void LogPassthrough(ILogger logger, IPEndPoint destination);
}

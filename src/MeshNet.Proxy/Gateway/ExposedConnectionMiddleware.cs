using MeshNet.Proxy.Interception;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MeshNet.Proxy.Gateway;

/// <summary>
/// Marks every connection of a gateway listener with the virtual host it serves, before any byte is read, so
/// all requests on it (HTTP/1.1 keep-alive or h2c streams) are routed there whatever Host the client sent.
/// </summary>
internal static class ExposedConnectionMiddleware
{
    public static void UseExposedHost(this ListenOptions listen, string host) =>
        listen.Use(next => connection =>
        {
            InterceptedConnection.SetExposedHost(connection.Items, host);
            return next(connection);
        });
}

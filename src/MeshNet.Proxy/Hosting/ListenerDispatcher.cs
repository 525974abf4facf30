using MeshNet.Proxy.Admin;
using MeshNet.Proxy.Forwarding;
using MeshNet.Proxy.Interception;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Hosting;

/// <summary>
/// The whole request pipeline: one Kestrel server, three listeners, told apart by the local port the connection
/// arrived on (an integer compare instead of routing middleware). Gateway listeners may be many and share port
/// numbers across addresses, so they are recognised by the item their connection middleware set instead.
/// </summary>
internal sealed class ListenerDispatcher(ListenerEndpoints listeners, OutboundHandler outbound, InboundHandler inbound, AdminHandler admin)
{
    public Task InvokeAsync(HttpContext context)
    {
        var port = context.Connection.LocalPort;
        if (port == listeners.OutboundPort)
        {
            return outbound.InvokeAsync(context);
        }

        if (port == listeners.InboundPort)
        {
            return inbound.InvokeAsync(context);
        }

        if (port == listeners.AdminPort)
        {
            return admin.InvokeAsync(context);
        }

        if (InterceptedConnection.IsExposed(context))
        {
            return outbound.InvokeAsync(context);
        }

        // Only reachable in the instant between Kestrel binding and the bound ports being recorded.
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return Task.CompletedTask;
    }
}

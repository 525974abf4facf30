using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Interception;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// The outbound listener in explicit mode: the app addresses this sidecar and names the Service in Host (or in an
/// absolute-form target, which Kestrel reconciles with Host). One lookup picks the virtual host; the route's
/// cluster picks a destination round-robin; YARP forwards with the original Host.
/// </summary>
internal sealed partial class OutboundHandler(RouteTablePublisher routes, IHttpForwarder forwarder, ILogger<OutboundHandler> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // Intercepted: the ClusterIP:port the app dialled picks the virtual host; Host still goes upstream unchanged.
        var intercepted = InterceptedConnection.VirtualHost(context);
        var host = intercepted ?? context.Request.Host.Value;
        if (string.IsNullOrEmpty(host) || !routes.Current.TryFind(host, out var virtualHost))
        {
            LogNoRoute(logger, host ?? string.Empty, context.Request.Path.Value ?? string.Empty);
            Reject(context, StatusCodes.Status404NotFound, MeshHeaders.NoRoute);
            return;
        }

        var route = virtualHost.Match(context.Request.Path);
        if (route is null)
        {
            LogNoRoute(logger, host, context.Request.Path.Value ?? string.Empty);
            Reject(context, StatusCodes.Status404NotFound, MeshHeaders.NoRoute);
            return;
        }

        var cluster = route.PickCluster();
        // A headless Service's pod IP:port goes to that pod; a ClusterIP matches no endpoint and is balanced.
        var lease = cluster.Pick(context, avoid: null);
        if (lease is not { Destination: var destination })
        {
            LogNoHealthyEndpoints(logger, host, cluster.Name);
            Reject(context, StatusCodes.Status503ServiceUnavailable, MeshHeaders.NoHealthyEndpoints);
            return;
        }

        var error = await forwarder.SendAsync(
            context,
            destination.Prefix,
            cluster.State.Model.HttpClient,
            RequestVersions.For(context.Request),
            destination.Transformer).ConfigureAwait(false);
        lease.Value.Complete(error == ForwarderError.None && context.Response.StatusCode < 500);
        if (error != ForwarderError.None)
        {
            ForwarderErrors.Report(context, error, destination.Id, logger);
        }
    }

    internal static void Reject(HttpContext context, int status, string reason)
    {
        context.Response.StatusCode = status;
        context.Response.Headers[MeshHeaders.Error] = reason;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No route for host {Host} path {Path}")]
    private static partial void LogNoRoute(ILogger logger, string host, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No healthy endpoints for host {Host} in cluster {Cluster}")]
    private static partial void LogNoHealthyEndpoints(ILogger logger, string host, string cluster);
}

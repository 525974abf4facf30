using System.Diagnostics;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Interception;
using MeshNet.Proxy.Telemetry;
using MeshNet.Proxy.Telemetry.Failures;
using MeshNet.Proxy.Telemetry.Tracing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// The outbound listener in explicit mode: the app addresses this sidecar and names the Service in Host (or in an
/// absolute-form target, which Kestrel reconciles with Host). One lookup picks the virtual host, the route picks a
/// cluster, and an <see cref="OutboundExchange"/> forwards under the cluster's resilience policy with the original Host.
/// </summary>
internal sealed partial class OutboundHandler(RouteTablePublisher routes, IHttpForwarder forwarder, RequestTelemetry telemetry, ProxyTracer tracer, TimeProvider time, ILogger<OutboundHandler> logger)
{
    private readonly AttemptTimerPool _timers = new(time);

    public Task InvokeAsync(HttpContext context) => tracer.IsActive ? TracedAsync(context) : RouteAsync(context, null);

    private async Task TracedAsync(HttpContext context)
    {
        var span = tracer.StartOutbound(context);
        try
        {
            await RouteAsync(context, span).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ProxyTracer.StopServer(span, context, ex);
            throw;
        }

        ProxyTracer.StopServer(span, context);
    }

    /// <param name="span">The request's span when it is traced: attempts become its children.</param>
    private Task RouteAsync(HttpContext context, Activity? span)
    {
        // Intercepted: the ClusterIP:port the app dialled picks the virtual host; Host still goes upstream unchanged.
        var intercepted = InterceptedConnection.VirtualHost(context);
        var host = intercepted ?? context.Request.Host.Value;
        if (string.IsNullOrEmpty(host) || !routes.Current.TryFind(host, out var virtualHost))
        {
            return NoRoute(context, host ?? string.Empty);
        }

        var route = virtualHost.Match(context.Request);
        if (route is null)
        {
            return NoRoute(context, host);
        }

        // A headless Service's pod IP:port goes to that pod (the cluster's Pick sees the intercepted address).
        ProxyTracer.SetDestination(span, virtualHost.Service);
        return new OutboundExchange(context, route.PickCluster(), virtualHost.Service, forwarder, telemetry, time, logger, _timers, span).RunAsync();
    }

    private Task NoRoute(HttpContext context, string host)
    {
        var start = telemetry.Start(context);
        LogNoRoute(logger, host, context.Request.Path.Value ?? string.Empty);
        Reject(context, StatusCodes.Status404NotFound, MeshHeaders.NoRoute);
        telemetry.Complete(context, new RequestOutcome(TrafficDirection.Outbound, start, string.Empty));
        return Task.CompletedTask;
    }

    /// <summary>An error response of the sidecar's own, with an x-request-id to ask `meshctl explain` about.</summary>
    /// <param name="detail">What the sidecar knew (cluster, limit, ...), kept in the failure record only.</param>
    internal static void Reject(HttpContext context, int status, string reason, string? detail = null)
    {
        context.Response.StatusCode = status;
        context.Response.Headers[MeshHeaders.Error] = reason;
        RequestIds.Stamp(context, detail);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No route for host {Host} path {Path}")]
    private static partial void LogNoRoute(ILogger logger, string host, string path);
}

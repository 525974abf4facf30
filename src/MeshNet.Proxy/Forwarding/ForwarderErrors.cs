using System.Net.Http;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Forwarding;

/// <summary>Labels a failed forward for the client (status + <c>x-meshnet-error</c>) and logs it once.</summary>
internal static partial class ForwarderErrors
{
    public static void Report(HttpContext context, ForwarderError error, string destination, ILogger logger)
    {
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.UpgradeRequestCanceled or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient)
        {
            // The client went away; nothing to tell it and nothing wrong upstream.
            LogClientCanceled(logger, context.Request.Host.Value ?? string.Empty, destination, error);
            return;
        }

        var label = error switch
        {
            ForwarderError.Request when IsConnectFailure(exception) => MeshHeaders.UpstreamConnectFailure,
            ForwarderError.RequestTimedOut => MeshHeaders.UpstreamTimeout,
            _ => MeshHeaders.UpstreamFailure,
        };

        if (!context.Response.HasStarted)
        {
            // YARP already chose 502/504; a refused connection is the endpoint being unavailable, hence 503.
            if (label == MeshHeaders.UpstreamConnectFailure)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }

            context.Response.Headers[MeshHeaders.Error] = label;
        }

        LogForwardFailed(logger, context.Request.Host.Value ?? string.Empty, destination, error, label, exception?.GetBaseException().Message ?? string.Empty);
    }

    private static bool IsConnectFailure(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } or SocketException)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding {Host} to {Destination} failed: {Error} ({Label}): {Reason}")]
    private static partial void LogForwardFailed(ILogger logger, string host, string destination, ForwarderError error, string label, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Client canceled {Host} -> {Destination}: {Error}")]
    private static partial void LogClientCanceled(ILogger logger, string host, string destination, ForwarderError error);
}

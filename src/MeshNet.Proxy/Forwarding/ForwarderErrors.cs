using System.Net.Http;
using System.Net.Sockets;
using MeshNet.Proxy.Resilience;
using MeshNet.Proxy.Telemetry.Failures;
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
            RequestIds.Stamp(context, $"{error} from {destination}");
        }

        LogForwardFailed(logger, context.Request.Host.Value ?? string.Empty, destination, error, label, exception?.GetBaseException().Message ?? string.Empty);
    }

    /// <summary>
    /// What a failed attempt says about its destination. Client-side errors never reach here (the caller checks
    /// RequestAborted first); YARP's activity timeout is a timeout; anything else after the connection was made is a
    /// reset (closed connection, premature end, bad response).
    /// </summary>
    public static AttemptOutcome Classify(ForwarderError error, Exception? exception) => error switch
    {
        ForwarderError.Request when IsConnectFailure(exception) => AttemptOutcome.ConnectFailure,
        ForwarderError.RequestTimedOut => AttemptOutcome.Timeout,
        _ => AttemptOutcome.Reset,
    };

    /// <summary>
    /// No connection could be made (refused, unreachable, connect timeout). A connection that was made and then
    /// reset also surfaces as a SocketException, inside an HttpRequestException of another kind: not a connect failure.
    /// </summary>
    private static bool IsConnectFailure(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case HttpRequestException request:
                    return request.HttpRequestError == HttpRequestError.ConnectionError;
                case SocketException socket:
                    return socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable
                        or SocketError.NetworkUnreachable or SocketError.TimedOut or SocketError.HostDown;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding {Host} to {Destination} failed: {Error} ({Label}): {Reason}")]
    private static partial void LogForwardFailed(ILogger logger, string host, string destination, ForwarderError error, string label, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Client canceled {Host} -> {Destination}: {Error}")]
    private static partial void LogClientCanceled(ILogger logger, string host, string destination, ForwarderError error);
}

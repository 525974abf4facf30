using System.Net;
using Microsoft.Extensions.Logging;

namespace MeshNet.Dns.Server;

internal static partial class DnsServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "DNS server listening on {EndPoint} (UDP and TCP)")]
    public static partial void Listening(this ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "UDP socket error while receiving or sending")]
    public static partial void UdpSocketError(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "TCP accept failed")]
    public static partial void AcceptFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "TCP connection closed by error")]
    public static partial void ConnectionFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Upstream DNS did not answer within {TimeoutMs} ms")]
    public static partial void ForwardTimedOut(this ILogger logger, double timeoutMs);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Forwarding a DNS query upstream failed")]
    public static partial void ForwardFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Unexpected error while answering a DNS query")]
    public static partial void QueryFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Too many DNS queries waiting on the upstream ({Limit}); answering SERVFAIL")]
    public static partial void ForwardsSaturated(this ILogger logger, int limit);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Too many TCP DNS connections ({Limit}); closing a new one")]
    public static partial void ConnectionsSaturated(this ILogger logger, int limit);
}

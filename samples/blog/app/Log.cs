using System.Net;

namespace BlogApp;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "blog-app {Role} {Version} as {Pod} on {Address}:{Port}")]
    public static partial void Starting(ILogger logger, string role, string version, string pod, IPAddress address, int port);
}

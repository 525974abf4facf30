using MeshNet.Model;
using Microsoft.Extensions.Logging;

namespace MeshNet.Kubernetes.Api;

internal static partial class ApiLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Listed {Resource}: {Count} objects, {Removed} gone since the last list, at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string resource, int count, int removed, string resourceVersion);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Watch of {Resource} expired ({Reason}); listing again")]
    public static partial void Gone(ILogger logger, string resource, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Watch of {Resource} ended with an error: {Reason}")]
    public static partial void WatchError(ILogger logger, string resource, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Request for {Resource} failed ({Reason}); retrying with backoff")]
    public static partial void RequestFailed(ILogger logger, string resource, string reason, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Kubernetes API {Host}: initial state of {Count} resource types loaded")]
    public static partial void Synced(ILogger logger, Uri? host, int count);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Writing the status of {Resource} failed ({Reason}); retrying")]
    public static partial void StatusWriteFailed(ILogger logger, string resource, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Status of {Resource}: Accepted={Accepted} ({Reason}) for generation {Generation}")]
    public static partial void StatusWritten(ILogger logger, ResourceKey resource, bool accepted, string reason, long generation);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "TokenReview failed ({Reason})")]
    public static partial void TokenReviewFailed(ILogger logger, string reason, Exception exception);
}

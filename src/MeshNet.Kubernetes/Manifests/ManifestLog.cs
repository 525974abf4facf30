using Microsoft.Extensions.Logging;

namespace MeshNet.Kubernetes.Manifests;

internal static partial class ManifestLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Loaded {FileCount} manifest files ({ResourceCount} resources, {ErrorCount} errors) from {Directory}")]
    public static partial void InitialLoad(ILogger logger, int fileCount, int resourceCount, int errorCount, string directory);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Manifest error in {Origin}, document {Document}, resource {Resource}, field {Field}: {ErrorMessage}")]
    private static partial void ManifestError(ILogger logger, string origin, int? document, string resource, string field, string errorMessage);

    /// <summary>Unknown parts are logged as "-" so the message reads well; the structured fields carry the same values.</summary>
    public static void ManifestError(ILogger logger, Model.ResourceError error) =>
        ManifestError(logger, error.Origin, error.DocumentIndex, error.Resource?.ToString() ?? "-", string.IsNullOrEmpty(error.Field) ? "-" : error.Field, error.Message);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Manifest {Origin} applied: {Upserted} resources changed, {Deleted} removed, {ErrorCount} errors")]
    public static partial void FileApplied(ILogger logger, string origin, int upserted, int deleted, int errorCount);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Manifest {Origin} removed: {Deleted} resources removed")]
    public static partial void FileRemoved(ILogger logger, string origin, int deleted);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Cannot read manifest {Origin}; keeping its last loaded version")]
    public static partial void ReadFailed(ILogger logger, string origin, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "File change notifications are unavailable; relying on the periodic rescan")]
    public static partial void WatcherUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Rescanning the manifest directory failed; retrying on the next change or rescan")]
    public static partial void ScanFailed(ILogger logger, Exception exception);
}

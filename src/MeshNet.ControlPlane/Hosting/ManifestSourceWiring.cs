using MeshNet.Model;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Hosting;

/// <summary>Starts the manifest directory source (universal mode): the one place that knows its concrete type.</summary>
internal static class ManifestSourceWiring
{
    /// <summary>Delivers the directory's initial contents to <paramref name="sink"/> before returning, then keeps watching.</summary>
    public static Task<IAsyncDisposable> StartAsync(
        string directory, IMeshResourceSink sink, ILoggerFactory loggerFactory, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        throw new NotSupportedException($"Manifest loading is not available in this build (directory {directory}).");
    }
}

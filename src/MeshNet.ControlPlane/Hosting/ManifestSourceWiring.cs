using MeshNet.Kubernetes.Manifests;
using MeshNet.Model;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Hosting;

/// <summary>Starts the manifest directory source (universal mode): the one place that knows its concrete type.</summary>
internal static class ManifestSourceWiring
{
    /// <summary>Delivers the directory's initial contents to <paramref name="sink"/> before returning, then keeps watching.</summary>
    public static async Task<IAsyncDisposable> StartAsync(
        string directory, IMeshResourceSink sink, ILoggerFactory loggerFactory, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var source = new ManifestDirectorySource(directory, sink, loggerFactory.CreateLogger<ManifestDirectorySource>(), timeProvider);
        try
        {
            await source.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return source;
    }
}

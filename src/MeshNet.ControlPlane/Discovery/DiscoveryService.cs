using Grpc.Core;
using MeshNet.Protocol.V1;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Discovery;

/// <summary>The gRPC endpoint: one <see cref="DiscoveryStreamSession"/> per stream, ended by the client or by shutdown.</summary>
internal sealed class DiscoveryService : Protocol.V1.Discovery.DiscoveryBase
{
    private readonly DiscoveryDependencies _deps;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<DiscoveryStreamSession> _logger;

    public DiscoveryService(DiscoveryDependencies deps, IHostApplicationLifetime lifetime, ILogger<DiscoveryStreamSession> logger)
    {
        _deps = deps;
        _lifetime = lifetime;
        _logger = logger;
    }

    public override async Task Stream(
        IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Streams never end on their own; tie them to shutdown so a graceful stop does not wait for them.
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _lifetime.ApplicationStopping);
        try
        {
            await new DiscoveryStreamSession(_deps, _logger).RunAsync(requestStream, responseStream, cancellation.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (cancellation.IsCancellationRequested && ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The sidecar went away (or we are stopping) mid-write: the session has already cleaned up.
        }
    }
}

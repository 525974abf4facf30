using MeshNet.ControlPlane.Discovery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tracking;

/// <summary>
/// The single loop that turns recorded changes into pushes: wait for a change, debounce the burst, then
/// flush the whole batch through the pipeline at once.
/// </summary>
internal sealed partial class MeshUpdateLoop : BackgroundService
{
    private readonly MeshChangeTracker _tracker;
    private readonly IMeshUpdatePipeline _pipeline;
    private readonly DebounceOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<MeshUpdateLoop> _logger;
    private readonly ControlPlaneReadiness? _readiness;

    /// <param name="readiness">
    /// When given, the loop starts only once the initial load has been published: the manifest directory is
    /// delivered while the listeners are already up, and flushing it in debounce-sized pieces would re-resolve
    /// the growing mesh over and over instead of once.
    /// </param>
    public MeshUpdateLoop(
        MeshChangeTracker tracker,
        IMeshUpdatePipeline pipeline,
        DebounceOptions options,
        TimeProvider timeProvider,
        ILogger<MeshUpdateLoop> logger,
        ControlPlaneReadiness? readiness = null)
    {
        _readiness = readiness;
        _tracker = tracker;
        _pipeline = pipeline;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (_readiness is not null)
            {
                await _readiness.WaitAsync(stoppingToken).ConfigureAwait(false);
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                await _tracker.WaitForChangesAsync(stoppingToken).ConfigureAwait(false);
                await DebounceAsync(stoppingToken).ConfigureAwait(false);
                _tracker.ClearSignal();
                try
                {
                    _pipeline.Flush();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One bad batch must not stop future pushes; the next change retries with fresh state.
                    LogFlushFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DebounceAsync(CancellationToken cancellationToken)
    {
        var first = _timeProvider.GetTimestamp();
        while (true)
        {
            var now = _timeProvider.GetTimestamp();
            var sinceFirst = _timeProvider.GetElapsedTime(first, now);
            var sinceLast = _timeProvider.GetElapsedTime(_tracker.LastChangeTimestamp, now);
            var wait = DebouncePolicy.RemainingWait(sinceFirst, sinceLast, _options);
            if (wait == TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Applying a batch of mesh changes failed")]
    private partial void LogFlushFailed(Exception exception);
}

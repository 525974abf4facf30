namespace MeshNet.ControlPlane.Discovery;

/// <summary>
/// Gates first responses. Every stream waits for the initial load, so no sidecar gets an empty first config.
/// A sidecar that reconnects holding a config (it sent a version) also waits out the resync grace: in
/// universal mode the workloads behind sidecars are known only from their own streams, so a freshly
/// restarted control plane would otherwise push Services without the endpoints of sidecars that have not
/// reconnected yet, and callers would see 503s for a moment. Meanwhile the waiting sidecar keeps serving its
/// last good config, which is what it would have been sent anyway.
/// </summary>
internal sealed class ControlPlaneReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _resyncGrace;
    private readonly long _startedAt;

    /// <param name="resyncGrace">
    /// At least the sidecars' longest reconnect backoff (5 s plus 20% jitter), so every live sidecar has
    /// re-registered when the grace ends.
    /// </param>
    public ControlPlaneReadiness(TimeProvider timeProvider, TimeSpan resyncGrace)
    {
        _timeProvider = timeProvider;
        _resyncGrace = resyncGrace;
        _startedAt = timeProvider.GetTimestamp();
    }

    public bool IsReady => _ready.Task.IsCompleted;

    public void MarkReady() => _ready.TrySetResult();

    public Task WaitAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>Waits until a sidecar may get its first response; <paramref name="holdsConfig"/>: it sent a version.</summary>
    public async Task WaitForFirstResponseAsync(bool holdsConfig, CancellationToken cancellationToken)
    {
        await WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!holdsConfig)
        {
            return;
        }

        var remaining = _resyncGrace - _timeProvider.GetElapsedTime(_startedAt);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}

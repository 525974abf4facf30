namespace MeshNet.ControlPlane.Discovery;

/// <summary>Set once the initial load has been published; streams wait for it so no sidecar gets an empty first config.</summary>
internal sealed class ControlPlaneReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompleted;

    public void MarkReady() => _ready.TrySetResult();

    public Task WaitAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);
}

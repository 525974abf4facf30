using System.Runtime.InteropServices;

namespace MeshNet.Cli.Local;

/// <summary>
/// Ctrl-C and SIGTERM become a cancellation instead of killing meshctl outright, so it gets to kill its
/// children first (a killed parent would leave a dozen orphaned processes bound to their ports).
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration _sigterm;

    public ShutdownSignal()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Cancel();
        });
    }

    public CancellationToken Token => _cancellation.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigterm.Dispose();
        _cancellation.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        Cancel();
    }

    private void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // A signal that arrives while shutting down has nothing left to cancel.
        }
    }
}

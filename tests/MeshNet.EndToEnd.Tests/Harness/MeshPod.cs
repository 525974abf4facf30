using System.Net;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>
/// One loopback "pod": an address of its own with a test backend, a sidecar, or both (a client pod has only a
/// sidecar, a plain pod outside the mesh only a backend).
/// </summary>
internal sealed class MeshPod : IAsyncDisposable
{
    public MeshPod(string name, IPAddress address, BackendProcess? app, SidecarProcess? sidecar)
    {
        Name = name;
        Address = address;
        App = app;
        Sidecar = sidecar;
    }

    public string Name { get; }

    public IPAddress Address { get; }

    public BackendProcess? App { get; }

    public SidecarProcess? Sidecar { get; }

    /// <summary>The sidecar, for pods the test knows have one.</summary>
    public SidecarProcess RequiredSidecar =>
        Sidecar ?? throw new InvalidOperationException($"pod {Name} has no sidecar");

    /// <summary>Stops the sidecar and the app together, as a pod is deleted.</summary>
    public async Task StopAsync()
    {
        await Task.WhenAll(
            Sidecar?.StopAsync() ?? Task.CompletedTask,
            App?.StopAsync() ?? Task.CompletedTask);
    }

    public async ValueTask DisposeAsync()
    {
        if (Sidecar is not null)
        {
            await Sidecar.DisposeAsync();
        }

        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }
}

using MeshNet.ControlPlane.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests;

/// <summary>
/// The real control plane on a temporary manifest directory (ports 0, fast debounce), for tests that drive it
/// through files; disposing stops it and removes the directory.
/// </summary>
internal sealed class ManifestControlPlane : IAsyncDisposable
{
    private readonly string _root;

    private ManifestControlPlane(string root, ControlPlaneApp app)
    {
        _root = root;
        App = app;
    }

    public ControlPlaneApp App { get; }

    private string ManifestDirectory => Path.Combine(_root, "manifests");

    public static async Task<ManifestControlPlane> StartAsync(string prefix, params (string File, string Yaml)[] manifests)
    {
        var root = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        var directory = Directory.CreateDirectory(Path.Combine(root, "manifests")).FullName;
        foreach (var (file, yaml) in manifests)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, file), yaml);
        }

        var options = ControlPlaneOptions.Parse(
            ["--config", directory, "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--debounce-quiet", "1ms", "--debounce-max", "20ms"]);
        var app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await app.StartAsync(CancellationToken.None);
        return new ManifestControlPlane(root, app);
    }

    public Task WriteAsync(string file, string yaml, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(Path.Combine(ManifestDirectory, file), yaml, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}

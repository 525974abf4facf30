// meshnet-control's real composition root started with --kubernetes --kubeconfig against ApiServerDouble, a test
// double of the Kubernetes API server (no API server can run on this machine; see ApiServerDouble.cs).
using MeshNet.ControlPlane.Hosting;
using MeshNet.Kubernetes.Tests.Api;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests.Kubernetes;

/// <summary>A control plane in Kubernetes mode over a fresh API server double, its admin client and its state directory.</summary>
internal sealed class KubernetesModeHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));

    private KubernetesModeHost(ApiServerDouble server) => Server = server;

    public ApiServerDouble Server { get; }

    public DirectoryInfo State { get; } = Directory.CreateTempSubdirectory("meshnet-k8s-");

    public ControlPlaneApp App { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    /// <summary>Ends every wait of the test: nothing in it should take a minute.</summary>
    public CancellationToken Deadline => _deadline.Token;

    /// <param name="seed">Fills the API server before the control plane lists it.</param>
    /// <param name="arguments">More meshnet-control flags.</param>
    public static async Task<KubernetesModeHost> StartAsync(Action<ApiServerDouble> seed, params string[] arguments)
    {
        var host = new KubernetesModeHost(await ApiServerDouble.StartAsync());
        try
        {
            seed(host.Server);
            var options = ControlPlaneOptions.Parse(
            [
                "--kubernetes", "--kubeconfig", host.Server.WriteKubeconfig(host.State.FullName),
                "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--state-dir", host.State.FullName,
                "--debounce-quiet", "1ms", "--debounce-max", "20ms",
                .. arguments,
            ]);
            host.App = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
            await host.App.StartAsync(host.Deadline);
            host.Admin = new HttpClient { BaseAddress = new Uri($"http://{host.App.AdminEndPoint}") };
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        if (App is not null)
        {
            await App.StopAsync(CancellationToken.None);
            await App.DisposeAsync();
        }

        await Server.DisposeAsync();
        _deadline.Dispose();
        State.Delete(recursive: true);
    }
}

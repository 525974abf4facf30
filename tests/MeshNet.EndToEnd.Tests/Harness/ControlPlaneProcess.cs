using System.Net;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>A running meshnet-control on a manifest directory, with the endpoints it bound.</summary>
internal sealed class ControlPlaneProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private ControlPlaneProcess(ChildProcess process, IPEndPoint grpc, IPEndPoint admin)
    {
        _process = process;
        Grpc = grpc;
        Admin = admin;
        AdminClient = new ControlPlaneAdminClient(admin);
    }

    public IPEndPoint Grpc { get; }

    public IPEndPoint Admin { get; }

    /// <summary>What a sidecar's <c>--control-plane</c> takes.</summary>
    public Uri GrpcUrl => new($"http://{Grpc}");

    public ControlPlaneAdminClient AdminClient { get; }

    /// <summary>
    /// Starts the control plane. Ports default to 0 (the OS chooses); a restart passes the ones it had, so
    /// sidecars find it again at the address they were given.
    /// </summary>
    public static async Task<ControlPlaneProcess> StartAsync(string configDir, TestLog log, IPEndPoint? grpc = null, IPEndPoint? admin = null)
    {
        grpc ??= new IPEndPoint(IPAddress.Loopback, 0);
        admin ??= new IPEndPoint(IPAddress.Loopback, 0);
        string[] args =
        [
            "--config", configDir,
            "--grpc", grpc.ToString(),
            "--admin", admin.ToString(),
            "--debounce-quiet", "100ms",
            "--debounce-max", "1s",
        ];
        var process = ChildProcess.Start("control", "meshnet-control", MeshBinaries.ControlPlane, args, log);
        try
        {
            var ready = await process.WaitForReadyAsync(PodPorts.StartTimeout);
            return new ControlPlaneProcess(process, ready["grpc"], ready["admin"]);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public Task StopAsync() => _process.StopAsync();

    public async ValueTask DisposeAsync()
    {
        AdminClient.Dispose();
        await _process.DisposeAsync();
    }
}

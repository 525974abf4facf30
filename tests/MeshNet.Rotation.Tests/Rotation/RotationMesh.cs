using System.Net;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests.Rotation;

/// <summary>
/// A mesh for certificate-rotation tests: a control plane started with identity flags (state directory, leaf
/// lifetime, CA files) that can be stopped and started again on the same ports and state, two meshed backends and a
/// client, every sidecar with a join token. It owns every process and directory it made.
/// </summary>
internal sealed class RotationMesh : IAsyncDisposable
{
    private readonly string[] _identityArgs;
    private readonly List<IAsyncDisposable> _owned = [];
    private ChildProcess? _controlPlane;

    private RotationMesh(TestLog log, string[] identityArgs)
    {
        Log = log;
        Manifests = new ManifestDirectory(log);
        StateDirectory = Directory.CreateTempSubdirectory("meshnet-rotation-").FullName;
        _identityArgs = identityArgs;
    }

    public TestLog Log { get; }

    public ManifestDirectory Manifests { get; }

    /// <summary>The control plane's --state-dir: the generated CA (ca.crt, ca.key) and the join tokens live here.</summary>
    public string StateDirectory { get; }

    public IPEndPoint Grpc { get; private set; } = new(IPAddress.Loopback, 0);

    public IPEndPoint AdminEndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    public ControlPlaneAdminClient Admin { get; private set; } = null!;

    public MeshPod Client { get; private set; } = null!;

    public IReadOnlyList<MeshPod> Backends { get; private set; } = [];

    /// <summary>Every sidecar of the mesh: the backends' and the client's.</summary>
    public IEnumerable<SidecarProcess> Sidecars => Backends.Select(b => b.RequiredSidecar).Append(Client.RequiredSidecar);

    /// <param name="identityArgs">Flags for meshnet-control on top of the manifest directory, ports and state directory.</param>
    public static async Task<RotationMesh> StartAsync(ITestOutputHelper output, params string[] identityArgs)
    {
        var mesh = new RotationMesh(new TestLog(output), identityArgs);
        try
        {
            mesh.Manifests.Write("namespace.yaml", Harness.Manifests.Namespace(MeshTestBed.Namespace));
            var (file, yaml) = BackendServiceManifest();
            mesh.Manifests.Write(file, yaml);
            await mesh.StartControlPlaneAsync();
            await mesh.StartPodsAsync();
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts meshnet-control; after a stop, on the ports and the state directory it had.</summary>
    public async Task StartControlPlaneAsync()
    {
        string[] args =
        [
            "--config", Manifests.Path,
            "--grpc", Grpc.ToString(),
            "--admin", AdminEndPoint.ToString(),
            "--debounce-quiet", "100ms",
            "--debounce-max", "1s",
            "--state-dir", StateDirectory,
            .. _identityArgs,
        ];
        Log.Note($"starting the control plane: {string.Join(' ', _identityArgs)}");
        var process = ChildProcess.Start("control", "meshnet-control", MeshBinaries.ControlPlane, args, Log);
        Own(process);
        var ready = await process.WaitForReadyAsync(PodPorts.StartTimeout);
        (Grpc, AdminEndPoint) = (ready["grpc"], ready["admin"]);
        Admin?.Dispose();
        Admin = new ControlPlaneAdminClient(AdminEndPoint);
        _controlPlane = process;
    }

    public Task StopControlPlaneAsync()
    {
        Log.Note("stopping the control plane");
        return _controlPlane!.StopAsync();
    }

    /// <summary>Waits until the client's sidecar reaches both backends over mTLS (the backends see its SPIFFE ID).</summary>
    public async Task WaitForMtlsAsync()
    {
        await Poll.UntilAsync(
            async () =>
            {
                foreach (var sidecar in Sidecars)
                {
                    if ((await SidecarCerts.GetAsync(sidecar)).Identity is null)
                    {
                        return false;
                    }
                }

                return true;
            },
            SettleTimeout,
            "every sidecar holds a certificate");
        using var mesh = new MeshClient(Client.RequiredSidecar.Outbound);
        var peers = new HashSet<string>(StringComparer.Ordinal);
        await Poll.UntilAsync(
            async () =>
            {
                using var response = await mesh.Http.GetAsync(BackendUrl);
                if (response.Headers.TryGetValues("x-echo-peer", out var values) && response.Headers.TryGetValues(MeshClient.BackendHeader, out var backend))
                {
                    peers.Add($"{backend.First()} {values.First()}");
                }

                return peers.Count(p => p.EndsWith($"spiffe://cluster.local/ns/{MeshTestBed.Namespace}/sa/client", StringComparison.Ordinal)) == Backends.Count;
            },
            SettleTimeout,
            "both backends see the client's SPIFFE ID");
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        await Task.WhenAll(_owned.Select(o => o.DisposeAsync().AsTask()));
        Manifests.Dispose();
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A process that has not quite let go of a file: the temp directory is left behind, nothing else.
        }
    }

    private async Task StartPodsAsync()
    {
        var backendToken = await Admin.CreateJoinTokenAsync(MeshTestBed.Namespace, "backend");
        var clientToken = await Admin.CreateJoinTokenAsync(MeshTestBed.Namespace, "client");
        var backends = await Task.WhenAll(new[] { "backend-1", "backend-2" }.Select(name => StartBackendAsync(name, backendToken)));
        var clientAddress = LoopbackAddresses.NextPodAddress(PodPorts.All);
        var clientSidecar = Own(await SidecarProcess.StartAsync(
            new SidecarOptions(
                "client",
                MeshTestBed.Namespace,
                clientAddress,
                new Uri($"http://{Grpc}"),
                new Dictionary<string, string> { ["app"] = "client" },
                new Dictionary<string, int>(),
                JoinToken: clientToken.JoinToken,
                ServiceAccount: clientToken.ServiceAccount),
            Log));
        Client = new MeshPod("client", clientAddress, null, clientSidecar);
        Backends = backends;
        await Poll.UntilAsync(
            async () => (await Admin.ServiceAsync(MeshTestBed.Namespace, BackendService))?.Endpoints?.Count(e => e.Ready) == backends.Length,
            SettleTimeout,
            "both backends are ready endpoints");
    }

    private async Task<MeshPod> StartBackendAsync(string name, SidecarIdentity identity)
    {
        var address = LoopbackAddresses.NextPodAddress(PodPorts.All);
        var app = Own(await BackendProcess.StartAsync(name, address, Log));
        var sidecar = Own(await SidecarProcess.StartAsync(
            new SidecarOptions(
                name,
                MeshTestBed.Namespace,
                address,
                new Uri($"http://{Grpc}"),
                BackendLabels,
                new Dictionary<string, int> { [MeshTestBed.HttpPortName] = PodPorts.AppHttp, [MeshTestBed.H2cPortName] = PodPorts.AppH2c },
                AppPort: PodPorts.AppHttp,
                ReadinessPath: "/healthz",
                ProbeInterval: "1s",
                JoinToken: identity.JoinToken,
                ServiceAccount: identity.ServiceAccount),
            Log));
        return new MeshPod(name, address, app, sidecar);
    }

    private T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        lock (_owned)
        {
            _owned.Add(disposable);
        }

        return disposable;
    }
}

using System.Net;
using Xunit.Abstractions;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>
/// One test's mesh: a manifest directory, a control plane on it and the pods the test starts. It owns every
/// process it started and kills them all on dispose, whether the test passed, failed or threw halfway.
/// </summary>
internal sealed class MeshTestBed : IAsyncDisposable
{
    public const string Namespace = "e2e";
    public const string HttpPortName = "http";
    public const string H2cPortName = "h2c";

    // The sidecar's default: a ready app turns unready after 3 failed probes in a row (Kubernetes'
    // failureThreshold), so a CPU-starved test machine does not flap healthy backends out of their Services.
    private const string ProbeInterval = "1s";

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Lock _ownedGate = new();

    private MeshTestBed(TestLog log)
    {
        Log = log;
        Manifests = new ManifestDirectory(log);
    }

    public TestLog Log { get; }

    public ManifestDirectory Manifests { get; }

    public ControlPlaneProcess ControlPlane { get; private set; } = null!;

    public ControlPlaneAdminClient Admin => ControlPlane.AdminClient;

    /// <summary>Writes <paramref name="manifests"/> (file name, YAML) and starts the control plane on them.</summary>
    public static async Task<MeshTestBed> StartAsync(ITestOutputHelper output, params (string File, string Yaml)[] manifests)
    {
        var bed = new MeshTestBed(new TestLog(output));
        try
        {
            bed.Manifests.Write("namespace.yaml", Harness.Manifests.Namespace(Namespace));
            foreach (var (file, yaml) in manifests)
            {
                bed.Manifests.Write(file, yaml);
            }

            bed.ControlPlane = bed.Own(await ControlPlaneProcess.StartAsync(bed.Manifests.Path, bed.Log));
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>A pod running the test backend behind its own sidecar, registered with <paramref name="labels"/>.</summary>
    public async Task<MeshPod> StartMeshedBackendAsync(string name, IReadOnlyDictionary<string, string> labels, SidecarIdentity? identity = null)
    {
        var address = LoopbackAddresses.NextPodAddress(PodPorts.All);
        var app = await StartBackendAppAsync(name, address);
        var sidecar = Own(await SidecarProcess.StartAsync(
            new SidecarOptions(
                name,
                Namespace,
                address,
                ControlPlane.GrpcUrl,
                labels,
                new Dictionary<string, int> { [HttpPortName] = PodPorts.AppHttp, [H2cPortName] = PodPorts.AppH2c },
                AppPort: PodPorts.AppHttp,
                ReadinessPath: "/healthz",
                ProbeInterval: ProbeInterval,
                JoinToken: identity?.JoinToken,
                ServiceAccount: identity?.ServiceAccount ?? "default"),
            Log));
        return new MeshPod(name, address, app, sidecar);
    }

    /// <summary>Starts (or restarts) a pod's test backend at its address, as a container restart would.</summary>
    public async Task<BackendProcess> StartBackendAppAsync(string name, IPAddress address) =>
        Own(await BackendProcess.StartAsync(name, address, Log));

    /// <summary>A pod with only a sidecar: the calling side of a test, whose outbound listener the test uses.</summary>
    public async Task<MeshPod> StartClientAsync(string name = "client", SidecarIdentity? identity = null)
    {
        var address = LoopbackAddresses.NextPodAddress(PodPorts.All);
        var sidecar = Own(await SidecarProcess.StartAsync(
            new SidecarOptions(
                name,
                Namespace,
                address,
                ControlPlane.GrpcUrl,
                new Dictionary<string, string> { ["app"] = name },
                new Dictionary<string, int>(),
                JoinToken: identity?.JoinToken,
                ServiceAccount: identity?.ServiceAccount ?? "default"),
            Log));
        return new MeshPod(name, address, null, sidecar);
    }

    /// <summary>A pod outside the mesh: the test backend alone, reachable only through manifests naming it.</summary>
    public async Task<MeshPod> StartPlainBackendAsync(string name)
    {
        var address = LoopbackAddresses.NextPodAddress(PodPorts.All);
        var app = await StartBackendAppAsync(name, address);
        return new MeshPod(name, address, app, null);
    }

    public Task<MeshPod[]> StartMeshedBackendsAsync(IReadOnlyDictionary<string, string> labels, params string[] names) =>
        Task.WhenAll(names.Select(name => StartMeshedBackendAsync(name, labels)));

    public Task StopControlPlaneAsync()
    {
        Log.Note("stopping the control plane");
        return ControlPlane.StopAsync();
    }

    /// <summary>Starts a new control plane on the same manifests and the same ports the sidecars were given.</summary>
    public async Task RestartControlPlaneAsync()
    {
        var (grpc, admin) = (ControlPlane.Grpc, ControlPlane.Admin);
        Log.Note($"restarting the control plane on grpc={grpc} admin={admin}");
        ControlPlane = Own(await ControlPlaneProcess.StartAsync(Manifests.Path, Log, grpc, admin));
    }

    /// <summary>Polls /debug/services until the Service's endpoints satisfy <paramref name="done"/>.</summary>
    public async Task<(IReadOnlyList<EndpointStatus> Endpoints, TimeSpan Elapsed)> WaitForEndpointsAsync(
        string service, Func<IReadOnlyList<EndpointStatus>, bool> done, TimeSpan timeout, string what)
    {
        return await Poll.UntilAsync<IReadOnlyList<EndpointStatus>>(
            async () => (await Admin.ServiceAsync(Namespace, service))?.Endpoints ?? [],
            done,
            timeout,
            $"{service}: {what}");
    }

    /// <summary>Waits until the Service lists exactly these addresses as ready endpoints.</summary>
    public Task<(IReadOnlyList<EndpointStatus> Endpoints, TimeSpan Elapsed)> WaitForReadyEndpointsAsync(
        string service, TimeSpan timeout, params IPAddress[] addresses)
    {
        var expected = addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToArray();
        return WaitForEndpointsAsync(
            service,
            endpoints => endpoints.Where(e => e.Ready).Select(e => e.Address).Distinct().Order(StringComparer.Ordinal).SequenceEqual(expected),
            timeout,
            $"ready endpoints are [{string.Join(", ", expected)}]");
    }

    /// <summary>
    /// Waits until <paramref name="sidecar"/> has applied a config naming every address in
    /// <paramref name="present"/> and none in <paramref name="absent"/>: the control plane's view has reached it.
    /// </summary>
    public Task<TimeSpan> WaitForSidecarConfigAsync(SidecarProcess sidecar, IEnumerable<IPAddress> present, IEnumerable<IPAddress>? absent = null)
    {
        var mustHave = present.ToArray();
        var mustLack = absent?.ToArray() ?? [];
        return Poll.UntilAsync(
            async () =>
            {
                foreach (var address in mustHave)
                {
                    if (!await sidecar.AdminClient.ConfigMentionsAsync(address))
                    {
                        return false;
                    }
                }

                foreach (var address in mustLack)
                {
                    if (await sidecar.AdminClient.ConfigMentionsAsync(address))
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(15),
            $"sidecar config names [{string.Join(", ", (IEnumerable<IPAddress>)mustHave)}] and not [{string.Join(", ", (IEnumerable<IPAddress>)mustLack)}]");
    }

    public async ValueTask DisposeAsync()
    {
        IAsyncDisposable[] owned;
        lock (_ownedGate)
        {
            owned = [.. _owned];
            _owned.Clear();
        }

        // Parallel: each dispose kills a process tree and waits for it; a slow one should not delay the rest.
        await Task.WhenAll(owned.Select(o => o.DisposeAsync().AsTask()));
        Manifests.Dispose();
    }

    private T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        lock (_ownedGate)
        {
            _owned.Add(disposable);
        }

        return disposable;
    }
}

/// <summary>A service account and the join token the control plane issued for it (`POST /identity/tokens`).</summary>
internal sealed record SidecarIdentity(string ServiceAccount, string JoinToken);

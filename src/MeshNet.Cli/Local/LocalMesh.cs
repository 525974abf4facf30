namespace MeshNet.Cli.Local;

/// <summary>
/// A running universal-mode mesh: meshnet-control over the manifest directory and, per planned pod, its
/// containers and its meshnet-proxy. Owns every process it starts; disposing kills them all, newest first.
/// </summary>
internal sealed class LocalMesh : IDisposable
{
    public const string SidecarReadyPrefix = "meshnet-proxy ready ";

    /// <summary>meshnet-proxy's environment variable for the control plane's CA bundle (--control-plane-ca).</summary>
    public const string ControlPlaneCaVariable = "MESHNET_CONTROL_PLANE_CA";

    /// <summary>What the control plane writes to its --state-dir for clients of its TLS gRPC port.</summary>
    public const string ControlPlaneBundleFile = "ca-bundle.pem";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly List<ChildProcess> _children = [];
    private readonly Lock _lock = new();
    private readonly ProcessLog _log;
    private readonly MeshBinaries _binaries;
    private readonly TimeProvider _time;
    private readonly Netns.PodNetwork? _network;
    private readonly TaskCompletionSource<ChildProcess> _firstExit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
    private JoinTokenIssuer _tokens = null!;
    private string? _controlPlaneCa;
    private bool _disposed;

    private LocalMesh(ProcessLog log, MeshBinaries binaries, TimeProvider time, Netns.PodNetwork? network)
    {
        _log = log;
        _binaries = binaries;
        _time = time;
        _network = network;
    }

    public Uri ControlPlaneGrpc { get; private set; } = null!;

    public Uri ControlPlaneAdmin { get; private set; } = null!;

    /// <summary>
    /// The URL sidecars are given: https:// with the control plane's bundle in network-namespace mode, where they reach
    /// it over a veth and their join tokens would otherwise cross the pod network in clear; else <see cref="ControlPlaneGrpc"/>.
    /// </summary>
    public Uri SidecarControlPlane { get; private set; } = null!;

    public IReadOnlyList<PodPlan> Pods { get; private set; } = [];

    /// <summary>Completes with the first child that exits: after startup, any exit is a failure of the mesh.</summary>
    public Task<ChildProcess> FirstExit => _firstExit.Task;

    /// <summary>Starts the control plane, then every pod, and returns when all of them printed their ready lines.</summary>
    public static async Task<LocalMesh> StartAsync(
        ControlPlaneSettings controlPlane,
        IReadOnlyList<PodPlan> pods,
        MeshBinaries binaries,
        ProcessLog log,
        TimeProvider time,
        CancellationToken cancellationToken,
        Netns.PodNetwork? network = null)
    {
        var mesh = new LocalMesh(log, binaries, time, network);
        try
        {
            await mesh.StartControlPlaneAsync(controlPlane, cancellationToken).ConfigureAwait(false);
            var sidecars = new List<Task>();
            foreach (var pod in pods)
            {
                if (network is not null && pod.Sidecar.Netns is { } netns)
                {
                    mesh.PreparePod(network, pod, netns.Namespace);
                }

                foreach (var container in pod.Containers)
                {
                    mesh.Track(ChildProcess.Start(container, log, readyPrefix: null));
                }

                sidecars.Add(mesh.StartSidecarAsync(pod.Sidecar, cancellationToken));
            }

            await Task.WhenAll(sidecars).ConfigureAwait(false);
            mesh.Pods = pods;
            return mesh;
        }
        catch
        {
            mesh.Dispose();
            throw;
        }
    }

    /// <summary>Starts a meshnet-proxy (for a pod, or alone as a client's sidecar) and waits for its ready line.</summary>
    /// <param name="critical">
    /// False for a process the caller restarts itself (the gateway): its exit is not a failure of the mesh.
    /// </param>
    public async Task<ChildProcess> StartSidecarAsync(SidecarSettings sidecar, CancellationToken cancellationToken, bool critical = true)
    {
        var token = await _tokens.ForAsync(sidecar.Pod.Namespace, sidecar.Pod.ServiceAccount, cancellationToken).ConfigureAwait(false);
        List<KeyValuePair<string, string>> environment = [new(JoinTokenIssuer.EnvironmentVariable, token)];
        if (_controlPlaneCa is not null)
        {
            environment.Add(new(ControlPlaneCaVariable, _controlPlaneCa));
        }

        var spec = new ProcessSpec(
            $"{sidecar.Pod.Name}/meshnet-proxy",
            DotnetHost.Path,
            [_binaries.Resolve("meshnet-proxy"), .. sidecar.ToArguments(SidecarControlPlane)],
            [.. environment]);
        if (sidecar.Netns is { } netns)
        {
            spec = Netns.PodNetwork.InNamespace(netns.Namespace, spec);
        }

        var child = Track(ChildProcess.Start(spec, _log, SidecarReadyPrefix), critical);
        await child.Ready.WaitAsync(StartTimeout, _time, cancellationToken).ConfigureAwait(false);
        return child;
    }

    /// <summary>Stops one child started here (a non-critical one: stopping a critical one fails the mesh).</summary>
    public async Task StopAsync(ChildProcess child)
    {
        lock (_lock)
        {
            _children.Remove(child);
        }

        child.Kill();
        try
        {
            // Its listeners must be closed before a successor binds the same addresses.
            await child.Exited.WaitAsync(TimeSpan.FromSeconds(5), _time).ConfigureAwait(false);
        }
        finally
        {
            child.Dispose();
        }
    }

    public void Dispose()
    {
        ChildProcess[] children;
        lock (_lock)
        {
            _disposed = true;
            children = [.. _children];
            _children.Clear();
        }

        // Newest first: sidecars and apps go before the control plane, so sidecars do not log reconnect storms.
        for (var i = children.Length - 1; i >= 0; i--)
        {
            children[i].Kill();
        }

        foreach (var child in children)
        {
            child.Exited.Wait(TimeSpan.FromSeconds(5));
            child.Dispose();
        }

        _http.Dispose();
    }

    private async Task StartControlPlaneAsync(ControlPlaneSettings settings, CancellationToken cancellationToken)
    {
        var spec = new ProcessSpec(
            "meshnet-control",
            DotnetHost.Path,
            [_binaries.Resolve("meshnet-control"), .. settings.ToArguments()],
            []);
        var child = Track(ChildProcess.Start(spec, _log, ControlPlaneSettings.ReadyPrefix));
        var line = await child.Ready.WaitAsync(StartTimeout, _time, cancellationToken).ConfigureAwait(false);
        (ControlPlaneGrpc, ControlPlaneAdmin) = ControlPlaneSettings.ParseReadyLine(line);
        SidecarControlPlane = ControlPlaneGrpc;
        // A control plane from before TLS on its gRPC port writes no bundle: its sidecars stay on plaintext.
        if (_network is not null && settings.StateDirectory is { } state && File.Exists(Path.Combine(state, ControlPlaneBundleFile)))
        {
            _controlPlaneCa = Path.Combine(state, ControlPlaneBundleFile);
            SidecarControlPlane = new UriBuilder(ControlPlaneGrpc) { Scheme = Uri.UriSchemeHttps }.Uri;
        }
        _tokens = new JoinTokenIssuer(_http, ControlPlaneAdmin);
    }

    /// <summary>
    /// The pod's namespace and wiring, then the init container's job: `meshnet-proxy init` in the namespace.
    /// The admin port stays reachable from the host (readiness checks, /config).
    /// </summary>
    private void PreparePod(Netns.PodNetwork network, PodPlan pod, string ns)
    {
        // Any nameserver works behind the port-53 redirect; the pod's own IP keeps a failed redirect from
        // silently reaching some other resolver.
        network.AddPod(pod.Pod, pod.Pod.Address);
        var init = Netns.PodNetwork.Exec(
            ns,
            DotnetHost.Path,
            _binaries.Resolve("meshnet-proxy"),
            "init",
            "--exclude-inbound-ports",
            SidecarSettings.AdminPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _log.Write($"{pod.Pod.Name}/init", init.Trim());
    }

    private ChildProcess Track(ChildProcess child, bool critical = true)
    {
        _network?.RecordPid(child.Id);
        lock (_lock)
        {
            if (_disposed)
            {
                child.Dispose();
                throw new ObjectDisposedException(nameof(LocalMesh));
            }

            _children.Add(child);
        }

        if (critical)
        {
            _ = child.Exited.ContinueWith(_ => _firstExit.TrySetResult(child), TaskScheduler.Default);
        }

        return child;
    }
}

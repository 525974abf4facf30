using MeshNet.Cli.Local;
using MeshNet.Cli.Local.Netns;

namespace MeshNet.Cli.Commands;

/// <summary>
/// What `up` and `demo` share: read the manifests, plan the pods, open the process log and start the mesh.
/// Disposing stops every process and closes the log.
/// </summary>
internal sealed class MeshSession : IDisposable
{
    private MeshSession(LocalManifests manifests, PodAddressPool addresses, ProcessLog log, LocalMesh mesh, MeshBinaries binaries, PodNetwork? network)
    {
        Network = network;
        Manifests = manifests;
        Addresses = addresses;
        Log = log;
        Mesh = mesh;
        Binaries = binaries;
    }

    public LocalManifests Manifests { get; }

    public PodAddressPool Addresses { get; }

    public ProcessLog Log { get; }

    public LocalMesh Mesh { get; }

    public MeshBinaries Binaries { get; }

    /// <summary>The bridge and namespaces in netns mode; null in loopback mode.</summary>
    public PodNetwork? Network { get; }

    public static LocalManifests ReadManifests(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new ManifestException($"manifest directory {directory} does not exist");
        }

        var manifests = ManifestReader.Read(directory);
        if (manifests.Errors.Count > 0)
        {
            throw new ManifestException("invalid manifests:\n  " + string.Join("\n  ", manifests.Errors));
        }

        if (manifests.IsEmpty)
        {
            throw new ManifestException($"no Deployment, StatefulSet or Pod in {directory}: nothing to run");
        }

        return manifests;
    }

    public static ProcessLog OpenLog(string command, bool verbose, TimeProvider time)
    {
        var root = RepositoryLayout.FindRoot(AppContext.BaseDirectory) ?? RepositoryLayout.FindRoot(Environment.CurrentDirectory);
        var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"meshctl-{command}-{time.GetUtcNow():yyyyMMdd-HHmmss}-{Environment.ProcessId}.log");
        return new ProcessLog(Path.Combine(RepositoryLayout.LogDirectory(root), name), verbose ? Console.Error : null, time);
    }

    public static async Task<MeshSession> StartAsync(
        string directory,
        LocalManifests manifests,
        System.Net.IPAddress podNetwork,
        ProcessLog log,
        TimeProvider time,
        CancellationToken cancellationToken,
        NetnsOptions? netns = null)
    {
        var binaries = MeshBinaries.Discover();
        if (netns is null)
        {
            var addresses = new PodAddressPool(podNetwork);
            var planner = new PodPlanner(addresses, PodNames.RandomSuffix, binaries.Resolve);
            var pods = planner.Plan(manifests.Deployments, manifests.BarePods, manifests.StatefulSetList);
            // The gateway's own loopback /24, away from the pods' addresses and per run like them.
            List<string> loopbackExtra = SupportsLoadBalancerCidr(binaries)
                ? ["--load-balancer-cidr", $"{Local.Gateway.GatewayNetwork.ForLoopbackPods(podNetwork)}/24"]
                : [];
            var loopbackControlPlane = new ControlPlaneSettings(Path.GetFullPath(directory), ExtraArguments: loopbackExtra);
            var mesh = await LocalMesh.StartAsync(loopbackControlPlane, pods, binaries, log, time, cancellationToken)
                .ConfigureAwait(false);
            return new MeshSession(manifests, addresses, log, mesh, binaries, null);
        }

        var network = PodNetwork.Create(netns);
        try
        {
            var gateway = netns.Gateway.ToString();
            // The host's resolver serves names outside the cluster; should there be none, the control plane's DNS
            // at least answers cluster names (anything else gets its error).
            var upstream = PodNetwork.HostNameserver() is { } host ? $"{host}:53" : $"{gateway}:53";
            var addresses = PodAddressPool.ForPodCidr(netns.PodNetwork);
            var planner = new PodPlanner(addresses, PodNames.RandomSuffix, binaries.Resolve, pod => new NetnsSidecar(network.NamespaceFor(pod), upstream));
            var pods = planner.Plan(manifests.Deployments, manifests.BarePods, manifests.StatefulSetList);
            List<string> extra = ["--dns", $"{gateway}:53", "--state-dir", Path.Combine(network.RunDirectory, "control-plane")];
            if (SupportsLoadBalancerCidr(binaries))
            {
                // Per run, like the bridge and the pod CIDR: two runs must not hand out the same external address.
                extra.AddRange(["--load-balancer-cidr", $"{netns.GatewayNetwork}/24"]);
            }

            var controlPlane = new ControlPlaneSettings(Path.GetFullPath(directory), GrpcAddress: $"{gateway}:0", ExtraArguments: extra);
            var mesh = await LocalMesh.StartAsync(controlPlane, pods, binaries, log, time, cancellationToken, network).ConfigureAwait(false);
            network.RecordControlPlane(mesh.ControlPlaneAdmin);
            return new MeshSession(manifests, addresses, log, mesh, binaries, network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether this meshnet-control allocates LoadBalancer addresses (--load-balancer-cidr). Asked once per run
    /// through --help, so meshctl works with a control plane from before that flag.
    /// </summary>
    private static bool SupportsLoadBalancerCidr(MeshBinaries binaries)
    {
        var (code, stdout, stderr) = Local.Netns.HostCommand.TryRun(DotnetHost.Path, binaries.Resolve("meshnet-control"), "--help");
        return code == 0 && (stdout + stderr).Contains("--load-balancer-cidr", StringComparison.Ordinal);
    }

    /// <summary>Awaits <paramref name="work"/>, failing fast if any process of the mesh exits meanwhile.</summary>
    public async Task<T> WatchAsync<T>(Task<T> work)
    {
        var first = await Task.WhenAny(work, Mesh.FirstExit).ConfigureAwait(false);
        if (first != work)
        {
            var child = await Mesh.FirstExit.ConfigureAwait(false);
            throw new ChildExitedException(child.Spec.Source, await child.Exited.ConfigureAwait(false));
        }

        return await work.ConfigureAwait(false);
    }

    public async Task WatchAsync(Task work) =>
        await WatchAsync(work.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default)).ConfigureAwait(false);

    public void Dispose()
    {
        Mesh.Dispose();
        Network?.Dispose();
        Log.Dispose();
    }
}

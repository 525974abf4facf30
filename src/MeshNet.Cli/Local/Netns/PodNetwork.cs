using System.Globalization;
using System.Net;

namespace MeshNet.Cli.Local.Netns;

/// <summary>
/// The host side of netns mode: a bridge holding the pod CIDR's gateway address and, per pod, a network namespace
/// joined to it by a veth pair (host end on the bridge, pod end renamed eth0 with the pod IP and a default route via
/// the bridge), lo up, and /etc/netns/&lt;ns&gt;/resolv.conf with the cluster search path. Every step is recorded in
/// the state file before it is taken; disposing undoes everything (<see cref="NetnsTeardown"/>).
/// </summary>
internal sealed class PodNetwork : IDisposable
{
    private readonly Lock _lock = new();
    private readonly NetnsState _state;
    private int _links;

    private PodNetwork(NetnsOptions options, NetnsState state)
    {
        Options = options;
        _state = state;
    }

    public NetnsOptions Options { get; }

    /// <summary>Per-run files (the control plane's allocation state); removed with everything else.</summary>
    public string RunDirectory => _state.RunDirectory!;

    public static PodNetwork Create(NetnsOptions options)
    {
        if (NetnsState.Load(options.StateFile) is { } previous)
        {
            throw new InvalidOperationException(
                $"{options.StateFile} exists: another `meshctl up` (pid {previous.OwnerPid}) is running or crashed; run `meshctl down` first");
        }

        var state = new NetnsState
        {
            OwnerPid = Environment.ProcessId,
            Bridge = options.Bridge,
            RunDirectory = Path.Combine(Path.GetDirectoryName(options.StateFile)!, options.Prefix + "-run"),
        };
        var network = new PodNetwork(options, state);
        try
        {
            network.Record(s => s.Links.Add(options.Bridge));
            HostCommand.Run("ip", "link", "add", options.Bridge, "type", "bridge");
            HostCommand.Run("ip", "addr", "add", $"{options.Gateway}/{NetnsOptions.PrefixLength}", "dev", options.Bridge);
            HostCommand.Run("ip", "link", "set", options.Bridge, "up");

            // Pods talk to each other across the bridge; with br_netfilter loaded those frames traverse FORWARD,
            // whose policy may be DROP (Docker sets it so).
            List<string> forward = ["FORWARD", "-i", options.Bridge, "-o", options.Bridge, "-j", "ACCEPT"];
            network.Record(s => s.RootRules.Add(forward));
            HostCommand.Run("iptables", ["-I", .. forward]);
            Directory.CreateDirectory(network.RunDirectory);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The namespace name for a pod: the prefix keeps it ours, the pod name keeps `ip netns` readable.</summary>
    public string NamespaceFor(PodIdentity pod) => $"{Options.Prefix}-{pod.Name}";

    /// <summary>Creates the pod's namespace, wiring and resolv.conf; the caller then installs the init rules.</summary>
    public void AddPod(PodIdentity pod, string nameserver)
    {
        var ns = NamespaceFor(pod);
        int index;
        lock (_lock)
        {
            index = _links++;
        }

        var hostEnd = $"{Options.Prefix}h{index.ToString(CultureInfo.InvariantCulture)}";
        var podEnd = $"{Options.Prefix}p{index.ToString(CultureInfo.InvariantCulture)}";
        if (hostEnd.Length > 15)
        {
            throw new InvalidOperationException($"link name {hostEnd} is longer than the kernel's 15 characters; use a shorter --netns-prefix");
        }

        Record(s => s.Namespaces.Add(ns));
        HostCommand.Run("ip", "netns", "add", ns);
        Exec(ns, "ip", "link", "set", "lo", "up");
        Record(s => s.Links.Add(hostEnd));
        HostCommand.Run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", podEnd);
        HostCommand.Run("ip", "link", "set", podEnd, "netns", ns);
        HostCommand.Run("ip", "link", "set", hostEnd, "master", Options.Bridge, "up");
        Exec(ns, "ip", "link", "set", podEnd, "name", "eth0");
        Exec(ns, "ip", "addr", "add", $"{pod.Address}/{NetnsOptions.PrefixLength}", "dev", "eth0");
        Exec(ns, "ip", "link", "set", "eth0", "up");
        Exec(ns, "ip", "route", "add", "default", "via", Options.Gateway.ToString());

        var etc = Path.Combine("/etc/netns", ns);
        Record(s => s.EtcNetnsDirectories.Add(etc));
        Directory.CreateDirectory(etc);
        File.WriteAllText(Path.Combine(etc, "resolv.conf"), ResolvConf(pod.Namespace, nameserver));
    }

    /// <summary>As the kubelet writes it for ClusterFirst pods (search path, ndots:5).</summary>
    public static string ResolvConf(string podNamespace, string nameserver) =>
        $"search {podNamespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver {nameserver}\noptions ndots:5\n";

    public void RecordPid(int pid) => Record(s => s.Pids.Add(pid));

    public void RecordControlPlane(Uri admin) => Record(s => s.ControlPlaneAdmin = admin.ToString());

    public static string Exec(string ns, string fileName, params string[] arguments) =>
        HostCommand.Run("ip", ["netns", "exec", ns, fileName, .. arguments]);

    /// <summary>Wraps a command so it runs inside the pod's namespace (with its resolv.conf bind-mounted).</summary>
    public static ProcessSpec InNamespace(string ns, ProcessSpec spec) =>
        spec with { FileName = "ip", Arguments = ["netns", "exec", ns, spec.FileName, .. spec.Arguments] };

    public void Dispose()
    {
        NetnsState snapshot;
        lock (_lock)
        {
            snapshot = _state;
        }

        NetnsTeardown.Run(snapshot, Options.StateFile, TextWriter.Null);
    }

    private void Record(Action<NetnsState> change)
    {
        lock (_lock)
        {
            change(_state);
            _state.Save(Options.StateFile);
        }
    }

    /// <summary>The host's first nameserver, as the sidecar's upstream for names outside the cluster.</summary>
    public static string? HostNameserver()
    {
        const string path = "/etc/resolv.conf";
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && fields[0] == "nameserver" && IPAddress.TryParse(fields[1], out var address))
            {
                return address.ToString();
            }
        }

        return null;
    }
}

using System.Diagnostics;
using System.Net;
using MeshNet.Interception.Tests.Harness;

namespace MeshNet.Interception.Tests.MeshTcp;

/// <summary>
/// A bridge "mnt-XXXXbr" (10.N.0.1/24) with pods as network namespaces on it ("mnt-XXXX-pK", eth0 = 10.N.0.K+1), as
/// `meshctl up` wires them but with nothing started: the test decides what runs in each pod. Dispose kills every
/// process started here and deletes the namespaces, links and directories.
/// </summary>
internal sealed class PodBridge : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly List<string> _namespaces = [];
    private readonly List<string> _directories = [];
    private readonly int _octet;

    private PodBridge(string prefix, int octet)
    {
        Prefix = prefix;
        _octet = octet;
    }

    public string Prefix { get; }

    /// <summary>Every started process's stderr, prefixed with its namespace and program, for a failing test's output.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Logs { get; } = new();

    public string Bridge => Prefix + "br";

    public IPAddress Gateway => IPAddress.Parse($"10.{_octet}.0.1");

    public static async Task<PodBridge> CreateAsync()
    {
        var bridge = new PodBridge("mnt-" + Guid.NewGuid().ToString("N")[..4], Random.Shared.Next(160, 199));
        try
        {
            await HostShell.RunAsync("ip", "link", "add", bridge.Bridge, "type", "bridge");
            await HostShell.RunAsync("ip", "addr", "add", $"{bridge.Gateway}/24", "dev", bridge.Bridge);
            await HostShell.RunAsync("ip", "link", "set", bridge.Bridge, "up");
            return bridge;
        }
        catch
        {
            await bridge.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new pod namespace on the bridge; returns its name and IP.</summary>
    public async Task<(string Netns, IPAddress Address)> AddPodAsync()
    {
        var index = _namespaces.Count + 1;
        var ns = $"{Prefix}-p{index}";
        var host = $"{Prefix}v{index}";
        var address = IPAddress.Parse($"10.{_octet}.0.{index + 1}");
        _namespaces.Add(ns);
        await HostShell.RunAsync("ip", "netns", "add", ns);
        await HostShell.RunAsync("ip", "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", ns);
        await HostShell.RunAsync("ip", "link", "set", host, "master", Bridge);
        await HostShell.RunAsync("ip", "link", "set", host, "up");
        await HostShell.RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        await HostShell.RunAsync("ip", "netns", "exec", ns, "ip", "addr", "add", $"{address}/24", "dev", "eth0");
        await HostShell.RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
        await HostShell.RunAsync("ip", "netns", "exec", ns, "ip", "route", "add", "default", "via", Gateway.ToString());
        return (ns, address);
    }

    /// <summary>Starts a long-running process (in <paramref name="ns"/> when given), killed on dispose.</summary>
    public Process Start(string? ns, IReadOnlyDictionary<string, string>? environment, params string[] command)
    {
        var info = new ProcessStartInfo(ns is null ? command[0] : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in ns is null ? command[1..] : ["netns", "exec", ns, .. command])
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info)!;
        var label = $"{ns ?? "host"}/{Path.GetFileName(command.Length > 1 ? command[1] : command[0])}";
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                Logs.Enqueue($"{label}: {line}");
            }
        };
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    public void DeleteOnDispose(string directory) => _directories.Add(directory);

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
            }

            process.Dispose();
        }

        foreach (var ns in _namespaces)
        {
            await HostShell.TryRunAsync("ip", "netns", "del", ns);
        }

        for (var i = 1; i <= _namespaces.Count; i++)
        {
            await HostShell.TryRunAsync("ip", "link", "del", $"{Prefix}v{i}");
        }

        await HostShell.TryRunAsync("ip", "link", "del", Bridge);
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

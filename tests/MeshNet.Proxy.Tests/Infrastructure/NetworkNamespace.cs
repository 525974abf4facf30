using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace MeshNet.Proxy.Tests.Infrastructure;

/// <summary>
/// A throwaway network namespace "mnt-XXXX" with lo up and a veth pair to the root namespace
/// (10.250.N.1 here, 10.250.N.2 inside, default route through it), like a pod on a bridge. Dispose deletes the
/// namespace (its end of the veth and its iptables go with it), the root end, /etc/netns/NAME and every process
/// started inside.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly List<string> _directories = [];

    private NetworkNamespace(string name, int subnet)
    {
        Name = name;
        HostLink = "mnt-h" + name[4..];
        HostAddress = IPAddress.Parse($"10.250.{subnet}.1");
        PodAddress = IPAddress.Parse($"10.250.{subnet}.2");
    }

    public string Name { get; }

    public string HostLink { get; }

    /// <summary>The root namespace's end of the veth.</summary>
    public IPAddress HostAddress { get; }

    /// <summary>The "pod IP": the namespace's end of the veth.</summary>
    public IPAddress PodAddress { get; }

    public static bool IsRoot => Environment.UserName == "root";

    public static async Task<NetworkNamespace> CreateAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var subnet = Random.Shared.Next(1, 250);
        var ns = new NetworkNamespace("mnt-" + suffix, subnet);
        try
        {
            var pod = "mnt-p" + suffix;
            await RunAsync("ip", "netns", "add", ns.Name);
            await ns.ExecAsync("ip", "link", "set", "lo", "up");
            await RunAsync("ip", "link", "add", ns.HostLink, "type", "veth", "peer", "name", pod);
            await RunAsync("ip", "link", "set", pod, "netns", ns.Name);
            await RunAsync("ip", "addr", "add", $"{ns.HostAddress}/30", "dev", ns.HostLink);
            await RunAsync("ip", "link", "set", ns.HostLink, "up");
            await ns.ExecAsync("ip", "addr", "add", $"{ns.PodAddress}/30", "dev", pod);
            await ns.ExecAsync("ip", "link", "set", pod, "up");
            await ns.ExecAsync("ip", "route", "add", "default", "via", ns.HostAddress.ToString());
            return ns;
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
    }

    /// <summary>/etc/netns/NAME/resolv.conf, which "ip netns exec" bind-mounts over /etc/resolv.conf.</summary>
    public void WriteResolvConf(string content)
    {
        var dir = Path.Combine("/etc/netns", Name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "resolv.conf"), content);
    }

    /// <summary>Runs a command inside and returns its stdout; throws with stderr on a non-zero exit.</summary>
    public Task<string> ExecAsync(params string[] command) => RunAsync("ip", ["netns", "exec", Name, .. command]);

    public async Task<(int Code, string Stdout, string Stderr)> TryExecAsync(params string[] command) =>
        await TryRunAsync("ip", ["netns", "exec", Name, .. command]);

    /// <summary>Starts a long-running process inside (killed on dispose).</summary>
    public Process Start(params string[] command)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["netns", "exec", Name, .. command])
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
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

        await TryRunAsync("ip", ["netns", "del", Name]);
        await TryRunAsync("ip", ["link", "del", HostLink]);
        foreach (var dir in _directories.Append(Path.Combine("/etc/netns", Name)))
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    public static async Task<string> RunAsync(string file, params string[] args)
    {
        var (code, stdout, stderr) = await TryRunAsync(file, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {stderr}");
        }

        return stdout;
    }

    public static async Task<(int Code, string Stdout, string Stderr)> TryRunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The nat table as iptables-save prints it, without comments and counters, for equality checks.</summary>
    public async Task<string> NatRulesAsync(bool ipv6 = false)
    {
        var save = await ExecAsync(ipv6 ? "ip6tables-save" : "iptables-save", "-t", "nat");
        return string.Join('\n', save.Split('\n')
            .Where(l => !l.StartsWith('#'))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"\[\d+:\d+\]", "[0:0]")));
    }

    public static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;

namespace MeshNet.Cli.Local.Netns;

/// <summary>
/// Undoes a netns-mode run from its state file: processes (recorded ones and any left inside the namespaces),
/// namespaces, links, root-namespace rules, /etc/netns directories, the run directory and the state file itself.
/// Each step tolerates what is already gone, so it also cleans up after a crash halfway through `up`.
/// </summary>
internal static class NetnsTeardown
{
    public static void Run(NetnsState state, string stateFile, TextWriter output)
    {
        var pids = new HashSet<int>(state.Pids);
        foreach (var ns in state.Namespaces)
        {
            var (code, stdout, _) = HostCommand.TryRun("ip", "netns", "pids", ns);
            if (code == 0)
            {
                pids.UnionWith(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)));
            }
        }

        pids.Remove(Environment.ProcessId);
        foreach (var pid in pids)
        {
            Kill(pid, output);
        }

        foreach (var ns in state.Namespaces)
        {
            Try(output, "ip", "netns", "del", ns);
        }

        // Deleting a namespace deletes its veth end and with it the pair, so most host ends are already gone.
        foreach (var link in state.Links.AsEnumerable().Reverse())
        {
            if (HostCommand.TryRun("ip", "link", "show", link).Code == 0)
            {
                Try(output, "ip", "link", "del", link);
            }
        }

        foreach (var rule in state.RootRules)
        {
            while (HostCommand.TryRun("iptables", ["-C", .. rule]).Code == 0)
            {
                Try(output, "iptables", ["-D", .. rule]);
            }
        }

        foreach (var dir in state.EtcNetnsDirectories.Where(d => d.StartsWith("/etc/netns/", StringComparison.Ordinal)))
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        if (state.RunDirectory is { } run && Directory.Exists(run))
        {
            Directory.Delete(run, recursive: true);
        }

        File.Delete(stateFile);
    }

    private static void Kill(int pid, TextWriter output)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            // A recorded pid may have been reused since a crash: only our kinds of process are stopped.
            if (process.ProcessName is not ("dotnet" or "ip" or "setsid" or "meshctl"))
            {
                return;
            }

            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
            output.WriteLine($"stopped pid {pid}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static void Try(TextWriter output, string fileName, params string[] arguments)
    {
        var (code, _, stderr) = HostCommand.TryRun(fileName, arguments);
        output.WriteLine(code == 0
            ? $"{fileName} {string.Join(' ', arguments)}"
            : $"{fileName} {string.Join(' ', arguments)}: {stderr.Trim()}");
    }
}

using System.Diagnostics;

namespace MeshNet.Proxy.Init;

/// <summary>
/// <c>meshnet-proxy init</c>: the init-container role. Per address family, reads the current nat table with
/// iptables-save, then installs or removes our rules in one iptables-restore transaction (whichever backend
/// `iptables` is).
/// </summary>
internal static class InitCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var options = InitCommandLine.Parse(args, out var error, out var help);
        if (help)
        {
            await stdout.WriteLineAsync(InitCommandLine.Usage).ConfigureAwait(false);
            return 0;
        }

        if (options is null)
        {
            await stderr.WriteLineAsync($"meshnet-proxy init: {error}\nRun 'meshnet-proxy init --help' for usage.").ConfigureAwait(false);
            return 2;
        }

        if (options.DryRun)
        {
            // Printed as for an empty table: every jump and chain, so the output is the complete rule set.
            foreach (var ipv6 in Families())
            {
                if (ipv6)
                {
                    await stdout.WriteAsync("# ip6tables-restore --noflush\n").ConfigureAwait(false);
                }

                await stdout.WriteAsync(options.Remove ? IptablesRuleset.Remove(DryRunTable) : IptablesRuleset.Install(options, string.Empty, ipv6)).ConfigureAwait(false);
            }

            return 0;
        }

        try
        {
            foreach (var ipv6 in Families())
            {
                if (await ApplyAsync(options, ipv6, stderr).ConfigureAwait(false) is false)
                {
                    return 1;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            await stderr.WriteLineAsync($"meshnet-proxy init: cannot run iptables ({ex.Message}); install the iptables package").ConfigureAwait(false);
            return 1;
        }

        await stdout.WriteLineAsync(options.Remove ? "meshnet-proxy init: rules removed" : "meshnet-proxy init: rules installed").ConfigureAwait(false);
        return 0;
    }

    /// <summary>IPv4 always; IPv6 too when this network namespace has it (dual-stack ClusterIPs and pods).</summary>
    private static IEnumerable<bool> Families() => Directory.Exists("/proc/sys/net/ipv6") ? [false, true] : [false];

    private static async Task<bool> ApplyAsync(InitOptions options, bool ipv6, TextWriter stderr)
    {
        var (save, restore) = ipv6 ? ("ip6tables-save", "ip6tables-restore") : ("iptables-save", "iptables-restore");
        var (saveCode, existing, saveError) = await RunToolAsync(save, ["-t", "nat"], null).ConfigureAwait(false);
        if (saveCode != 0)
        {
            await stderr.WriteLineAsync($"meshnet-proxy init: {save} failed ({saveCode}): {saveError.Trim()}").ConfigureAwait(false);
            return false;
        }

        var input = options.Remove ? IptablesRuleset.Remove(existing) : IptablesRuleset.Install(options, existing, ipv6);
        var (code, _, restoreError) = await RunToolAsync(restore, ["--noflush"], input).ConfigureAwait(false);
        if (code != 0)
        {
            await stderr.WriteLineAsync($"meshnet-proxy init: {restore} failed ({code}): {restoreError.Trim()}").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    private static string DryRunTable =>
        string.Join('\n', IptablesRuleset.Chains.Select(c => $":{c} - [0:0]").Concat(IptablesRuleset.Jumps));

    private static async Task<(int Code, string Stdout, string Stderr)> RunToolAsync(string tool, string[] args, string? input)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}

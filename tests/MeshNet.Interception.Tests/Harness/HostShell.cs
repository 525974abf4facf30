using System.Diagnostics;

namespace MeshNet.Interception.Tests.Harness;

/// <summary>Runs host tools (ip, iptables-save, curl, dig) and returns what they printed.</summary>
public static class HostShell
{
    public static bool IsRoot => Environment.UserName == "root";

    public static async Task<(int Code, string Stdout, string Stderr)> TryRunAsync(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public static async Task<string> RunAsync(string fileName, params string[] arguments)
    {
        var (code, stdout, stderr) = await TryRunAsync(fileName, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {code}: {stderr}");
        }

        return stdout;
    }

    /// <summary>Inside a pod's namespace, as an unmodified program there would run (its resolv.conf included).</summary>
    public static Task<(int Code, string Stdout, string Stderr)> InPodAsync(string ns, string fileName, params string[] arguments) =>
        TryRunAsync("ip", ["netns", "exec", ns, fileName, .. arguments]);

    public static async Task<string> CurlAsync(string ns, string url)
    {
        var (code, stdout, stderr) = await InPodAsync(ns, "curl", "-sS", "-m", "10", "--noproxy", "*", url);
        Assert.True(code == 0, $"curl {url} in {ns} exited {code}: {stderr}");
        return stdout;
    }

    public static async Task<string> DigAsync(string ns, params string[] query)
    {
        var (_, stdout, _) = await InPodAsync(ns, "dig", ["+short", "+time=2", "+tries=1", .. query]);
        return stdout.Trim();
    }

    /// <summary>The root namespace's rules, without counters and timestamps, for before/after comparison.</summary>
    public static async Task<string> IptablesSaveAsync()
    {
        var text = await RunAsync("iptables-save");
        var lines = text.Split('\n')
            .Where(l => !l.StartsWith('#'))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"\[\d+:\d+\]", "[0:0]"));
        return string.Join('\n', lines);
    }
}

using System.Diagnostics;

namespace MeshNet.Cli.Local.Netns;

/// <summary>Runs ip/iptables and friends synchronously; setup steps must not race each other.</summary>
internal static class HostCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs the command and returns stdout; a non-zero exit throws with the command and its stderr.</summary>
    public static string Run(string fileName, params string[] arguments)
    {
        var (code, stdout, stderr) = TryRun(fileName, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"'{fileName} {string.Join(' ', arguments)}' failed ({code}): {stderr.Trim()}");
        }

        return stdout;
    }

    public static (int Code, string Stdout, string Stderr) TryRun(string fileName, params string[] arguments)
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

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', arguments)}' did not finish within {Timeout.TotalSeconds:0} s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}

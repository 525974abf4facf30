using System.Diagnostics;
using Xunit.Abstractions;

namespace MeshNet.ControlPlane.Tests.Stats;

/// <summary>The real `promtool check metrics` (Debian package prometheus) over an exposition.</summary>
internal static class Promtool
{
    /// <summary>Null when promtool is not installed (the reason is printed); else its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)?> CheckMetricsAsync(string exposition, ITestOutputHelper output)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "promtool")));
        if (!found)
        {
            output.WriteLine("skipped: promtool is not on PATH (scripts/install-deps.sh installs the prometheus package)");
            return null;
        }

        using var process = Process.Start(new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}

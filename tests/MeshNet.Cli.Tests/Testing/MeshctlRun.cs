using System.Diagnostics;

namespace MeshNet.Cli.Tests.Testing;

/// <summary>Runs the real meshctl (this test build's meshctl.dll) as a child process to its end.</summary>
internal static class MeshctlRun
{
    /// <summary>How to start meshctl with <paramref name="arguments"/>, its output redirected.</summary>
    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "meshctl.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan deadline, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(arguments))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM first: meshctl stops its children on it.
            Process.Start("kill", ["-TERM", process.Id.ToString()])?.WaitForExit();
            if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                process.Kill(entireProcessTree: true);
            }

            Assert.Fail($"meshctl {string.Join(' ', arguments)} did not finish within {deadline}\nstderr:\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MeshNet.Proxy.Tests;

/// <summary>The real meshnet-proxy binary: flags, exit codes and the ready line launchers wait for.</summary>
public sealed partial class ProcessTests
{
    [Fact]
    public async Task Help_ExitsZero_AndPrintsUsage()
    {
        var (exitCode, stdout, _) = await RunToEndAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage: meshnet-proxy", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadFlag_ExitsTwo_WithTheReason()
    {
        var (exitCode, _, stderr) = await RunToEndAsync("--inbound", "127.0.0.1:15001", "--outbound", "127.0.0.1:15001");

        Assert.Equal(2, exitCode);
        Assert.Contains("meshnet-proxy: --inbound and --outbound use the same port 15001", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PrintsOneReadyLine_WithTheBoundPorts()
    {
        using var process = Start("--inbound", "127.0.0.1:0", "--outbound", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--control-plane", "http://127.0.0.1:9");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));

            var match = ReadyLine().Match(line ?? string.Empty);
            Assert.True(match.Success, line);
            using var client = new HttpClient();
            var live = await client.GetStringAsync($"http://127.0.0.1:{match.Groups["admin"].Value}/live");
            Assert.Equal("live", live);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToEndAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout, await stderr);
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(ProxyDll());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    /// <summary>MESHNET_BIN_DIR, else artifacts/bin/MeshNet.Proxy/&lt;this configuration&gt; under the solution folder.</summary>
    internal static string ProxyDll()
    {
        if (Environment.GetEnvironmentVariable("MESHNET_BIN_DIR") is { Length: > 0 } binDir)
        {
            return Path.Combine(binDir, "meshnet-proxy.dll");
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "release" : "debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MeshNet.sln")))
            {
                return Path.Combine(dir.FullName, "artifacts", "bin", "MeshNet.Proxy", configuration, "meshnet-proxy.dll");
            }
        }

        throw new InvalidOperationException("MeshNet.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^meshnet-proxy ready inbound=127\.0\.0\.1:(?<inbound>\d+) outbound=127\.0\.0\.1:(?<outbound>\d+) admin=127\.0\.0\.1:(?<admin>\d+)$")]
    private static partial Regex ReadyLine();
}

using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace MeshNet.ControlPlane.Tests;

/// <summary>meshnet-control as a real process: the flags, the one stdout line and the exit codes tools rely on.</summary>
public sealed partial class ControlPlaneProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"^meshnet-control ready grpc=127\.0\.0\.1:(\d+) admin=127\.0\.0\.1:(\d+)$")]
    private static partial Regex ReadyLine();

    private static Process Start(params string[] args)
    {
        var dir = Environment.GetEnvironmentVariable("MESHNET_BIN_DIR") is { Length: > 0 } overridden ? overridden : AppContext.BaseDirectory;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(dir, "meshnet-control.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    [Fact]
    public async Task Prints_TheReadyLine_WithBoundPorts_AndServesReadyz()
    {
        using var process = Start("--config", ControlPlaneHostTests.ManifestDirectory(), "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0");
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(deadline.Token);

            var match = ReadyLine().Match(line ?? "");
            Assert.True(match.Success, $"unexpected first line: {line}");
            Assert.NotEqual("0", match.Groups[1].Value);
            using var http = new HttpClient();
            var ready = await http.GetAsync($"http://127.0.0.1:{match.Groups[2].Value}/readyz", deadline.Token);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Prints_TheDnsEndpoint_InTheReadyLine_AndSavesAllocations()
    {
        var state = Path.Combine(Path.GetTempPath(), "mnt-state-" + Guid.NewGuid().ToString("N")[..8]);
        using var process = Start(
            "--config", ControlPlaneHostTests.ManifestDirectory(), "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0",
            "--dns", "127.0.0.1:0", "--state-dir", state);
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(deadline.Token);

            Assert.Matches(@"^meshnet-control ready grpc=127\.0\.0\.1:\d+ admin=127\.0\.0\.1:\d+ dns=127\.0\.0\.1:[1-9]\d*$", line ?? "");
            Assert.Contains("\"blog/posts\"", await File.ReadAllTextAsync(Path.Combine(state, "allocations.json"), deadline.Token), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(state, recursive: true);
        }
    }

    [Theory]
    [InlineData(2, "--debounce-quiet", "soon")]
    [InlineData(1, "--config", "/nonexistent/meshnet-manifests", "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0")]
    public async Task Exits_WithAnErrorCode_OnBadStartup(int exitCode, params string[] args)
    {
        using var process = Start(args);
        using var deadline = new CancellationTokenSource(Deadline);

        var stderr = await process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);

        Assert.Equal(exitCode, process.ExitCode);
        Assert.Contains("meshnet-control: ", stderr, StringComparison.Ordinal);
        Assert.Equal("", await process.StandardOutput.ReadToEndAsync(deadline.Token));
    }
}

using System.Diagnostics;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Analysis;

/// <summary>A real meshnet-control process over a manifest directory, on ports the OS picks.</summary>
internal sealed class LiveControlPlane : IAsyncDisposable
{
    private readonly Process _process;

    private LiveControlPlane(Process process, Uri admin)
    {
        _process = process;
        Admin = admin;
    }

    public Uri Admin { get; }

    public static async Task<LiveControlPlane> StartAsync(string configDirectory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            MeshBinaries.Discover().Resolve("meshnet-control"), "--config", configDirectory,
            "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("meshnet-control did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.StartsWith(ControlPlaneSettings.ReadyPrefix, StringComparison.Ordinal))
                {
                    var admin = line.Split(' ').Single(p => p.StartsWith("admin=", StringComparison.Ordinal))["admin=".Length..];
                    _ = DrainAsync(process);
                    return new LiveControlPlane(process, new Uri($"http://{admin}"));
                }
            }
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }

        process.Dispose();
        throw new InvalidOperationException("meshnet-control exited before it was ready");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static async Task DrainAsync(Process process)
    {
        while (await process.StandardOutput.ReadLineAsync() is not null)
        {
        }
    }
}

using System.Diagnostics;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Infrastructure;
using MeshNet.Proxy.Tests.Resilience;
using static MeshNet.Proxy.Tests.Resilience.Policies;

namespace MeshNet.Proxy.Tests.Telemetry;

public sealed class PromtoolTests
{
    [Fact]
    public async Task PromtoolAccepts_AScrapeWithEveryKindOfSeries()
    {
        if (FindOnPath("promtool") is not { } promtool)
        {
            Console.WriteLine("SKIPPED PromtoolAccepts_AScrapeWithEveryKindOfSeries: promtool not installed (Debian package prometheus; scripts/install-deps.sh)");
            return;
        }

        await using var failing = await FaultBackend.StartAsync("a");
        await using var healthy = await FaultBackend.StartAsync("b");
        failing.Behaviour = FaultBackend.Status(503);
        await using var app = await Backend.StartAsync("frontend-app");
        await using var sidecar = await MetricsSidecar.StartAsync(appPort: app.Port);
        await sidecar.ApplyAsync("v1", new Protocol.V1.Telemetry { Workload = "frontend" }, Posts(failing, healthy).WithRetries(2, "gateway-error"));
        for (var i = 0; i < 5; i++)
        {
            await sidecar.OutboundAsync("posts.blog");
            await sidecar.OutboundAsync("nowhere.blog");
            await sidecar.SendAsync(sidecar.InboundPort, "frontend.blog");
        }

        var (body, contentType) = await sidecar.ScrapeAsync();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", contentType);
        foreach (var name in new[] { "meshnet_requests_total", "meshnet_request_duration_seconds_bucket", "meshnet_tcp_connections_opened_total", "meshnet_retries_total", "meshnet_config_version_info" })
        {
            Assert.Contains(name, body, StringComparison.Ordinal);
        }

        var (exitCode, output) = await RunAsync(promtool, ["check", "metrics"], body);
        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"promtool check metrics exited {exitCode}:\n{output}\n--- exposition ---\n{body}");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string[] arguments, string input)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

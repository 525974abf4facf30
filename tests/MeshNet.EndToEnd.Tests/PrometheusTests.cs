using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>
/// The mesh's metrics read by their real consumers: a Prometheus server (Debian's binary) scraping the control plane
/// and every sidecar, and `meshctl stat` reading the control plane's own aggregation of the sidecars' metrics.
/// </summary>
public sealed class PrometheusTests(ITestOutputHelper output)
{
    private const int Requests = 40;
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Prometheus_ScrapingTheMesh_CountsExactlyTheRequestsSent()
    {
        if (PrometheusServer.Missing(output))
        {
            return;
        }

        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest());
        var (client, backends) = await StartBackendsAndClientAsync(bed, "backend-1", "backend-2");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);
        var tally = await mesh.SendAsync(BackendUrl, Requests);
        Assert.Empty(tally.Failures);

        IPEndPoint[] sidecars = [client.RequiredSidecar.Admin, .. backends.Select(b => b.RequiredSidecar.Admin)];
        await using var prometheus = await PrometheusServer.StartAsync([bed.ControlPlane.Admin], sidecars, bed.Log);
        await Poll.UntilAsync(
            () => prometheus.QueryAsync("count(up == 1)"),
            up => up == 1 + sidecars.Length,
            StatsTimeout,
            "Prometheus scrapes the control plane and every sidecar");

        var (outbound, _) = await Poll.UntilAsync(
            () => prometheus.QueryAsync("sum(meshnet_requests_total{direction=\"outbound\",destination_service=\"backend\",destination_namespace=\"e2e\",code=\"200\"})"),
            value => value == Requests,
            StatsTimeout,
            $"the client sidecar's outbound requests to backend add up to {Requests}");
        Assert.Equal(Requests, outbound);
        Assert.Equal(Requests, await prometheus.QueryAsync("sum(meshnet_requests_total{direction=\"inbound\",code=\"200\"})"));
        Assert.Equal(Requests, await prometheus.QueryAsync("sum(meshnet_request_duration_seconds_count{direction=\"outbound\",destination_service=\"backend\"})"));
        Assert.Equal(sidecars.Length, await prometheus.QueryAsync("meshnet_control_connected_sidecars"));
        Assert.Equal(1, await prometheus.QueryAsync("meshnet_control_resources{kind=\"Service\"}"));
    }

    [Fact]
    public async Task MeshctlStat_ShowsTheServiceThatGotTraffic_WithFullSuccess()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest());
        var (client, _) = await StartBackendsAndClientAsync(bed, "backend-1");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        // Traffic keeps flowing while polling: the control plane scrapes every 5 s, and a window needs a scrape
        // before and after some requests.
        var (rows, _) = await Poll.UntilAsync(
            async () =>
            {
                var tally = await mesh.SendAsync(BackendUrl, 10);
                Assert.Empty(tally.Failures);
                return await MeshctlStatAsync(bed.ControlPlane.Admin, bed.Log);
            },
            rows => rows.Any(r => r.Service == BackendService && r.Rps > 0),
            StatsTimeout,
            "meshctl stat shows requests to backend",
            TimeSpan.FromSeconds(1));

        var backend = rows.Single(r => r.Service == BackendService);
        Assert.Equal(MeshTestBed.Namespace, backend.Namespace);
        Assert.Equal(1, backend.Meshed);
        Assert.Equal(1.0, backend.SuccessRate);
        Assert.True(backend.Requests > 0);
        Assert.NotNull(backend.P99);
    }

    private static async Task<List<StatEntry>> MeshctlStatAsync(IPEndPoint admin, TestLog log)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[MeshBinaries.Find("MeshNet.Cli", "meshctl.dll"), "stat", "--once", "-o", "json", "-n", MeshTestBed.Namespace, "--control-plane", $"http://{admin}"])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(guard.Token);
        log.Note($"meshctl stat exited {process.ExitCode}: {(await stdout).ReplaceLineEndings(" ")} {await stderr}");
        Assert.Equal(0, process.ExitCode);
        using var json = JsonDocument.Parse(await stdout);
        return [.. json.RootElement.EnumerateArray().Select(StatEntry.From)];
    }

    private sealed record StatEntry(string Namespace, string Service, int Meshed, long Requests, double? SuccessRate, double Rps, double? P99)
    {
        public static StatEntry From(JsonElement row) => new(
            row.GetProperty("namespace").GetString()!,
            row.GetProperty("service").GetString()!,
            row.GetProperty("meshed").GetInt32(),
            row.GetProperty("requests").GetInt64(),
            Number(row.GetProperty("successRate")),
            row.GetProperty("rps").GetDouble(),
            Number(row.GetProperty("latencyMs").GetProperty("p99")));

        private static double? Number(JsonElement value) => value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
    }

    /// <summary>
    /// A real Prometheus server on a temporary config and data directory, scraping every second; disposing kills it
    /// and removes the directory, whatever state the test is in.
    /// </summary>
    private sealed class PrometheusServer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _directory;
        private readonly HttpClient _http;

        private PrometheusServer(Process process, string directory, Uri url)
        {
            _process = process;
            _directory = directory;
            _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
        }

        public static bool Missing(ITestOutputHelper output)
        {
            var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "prometheus")));
            if (!found)
            {
                output.WriteLine("skipped: prometheus is not on PATH (scripts/install-deps.sh installs the prometheus package)");
            }

            return !found;
        }

        public static async Task<PrometheusServer> StartAsync(IPEndPoint[] controlPlanes, IPEndPoint[] sidecars, TestLog log)
        {
            var directory = Directory.CreateTempSubdirectory("meshnet-prometheus-").FullName;
            Process? process = null;
            try
            {
                var config = Path.Combine(directory, "prometheus.yml");
                await File.WriteAllTextAsync(config, $"""
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                    scrape_configs:
                      - job_name: meshnet-control
                        static_configs: [{"{"}targets: [{Targets(controlPlanes)}]{"}"}]
                      - job_name: meshnet-proxy
                        static_configs: [{"{"}targets: [{Targets(sidecars)}]{"}"}]
                    """);
                // Prometheus cannot listen on port 0 and report the port: take a free one from the OS.
                var port = FreePort();
                var start = new ProcessStartInfo("prometheus") { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var arg in (string[])[$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}"])
                {
                    start.ArgumentList.Add(arg);
                }

                process = Process.Start(start)!;
                process.OutputDataReceived += (_, e) => Echo(log, e.Data);
                process.ErrorDataReceived += (_, e) => Echo(log, e.Data);
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
                await Poll.UntilAsync(
                    async () => !process.HasExited && (await server._http.GetAsync("-/ready")).IsSuccessStatusCode,
                    TimeSpan.FromSeconds(60),
                    "prometheus is ready");
                return server;
            }
            catch
            {
                await StopAsync(process, directory);
                throw;
            }
        }

        /// <summary>The value of an instant query that yields one sample; null when it yields none.</summary>
        public async Task<double?> QueryAsync(string query)
        {
            using var json = JsonDocument.Parse(await _http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(query)));
            var result = json.RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 0
                ? null
                : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await StopAsync(_process, _directory);
        }

        private static async Task StopAsync(Process? process, string directory)
        {
            if (process is not null)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                    using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await process.WaitForExitAsync(guard.Token);
                }
                catch (InvalidOperationException)
                {
                    // It had already exited.
                }

                process.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }

        private static string Targets(IEnumerable<IPEndPoint> endpoints) => string.Join(", ", endpoints.Select(e => $"'{e}'"));

        private static void Echo(TestLog log, string? line)
        {
            if (line is not null)
            {
                log.Write("prometheus", line);
            }
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
    }
}

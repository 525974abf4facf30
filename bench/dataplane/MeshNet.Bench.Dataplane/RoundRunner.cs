using System.Diagnostics;

namespace MeshNet.Bench.Dataplane;

/// <summary>
/// Measures one topology once (one round): idle RSS, saturated HTTP/1.1 throughput with CPU per request, open-loop
/// latency at fixed rates, and the h2c and gRPC lanes. Every figure lands in a flat metric map, e.g. "h1.c16.rps".
/// </summary>
internal sealed class RoundRunner(DataplaneOptions options, LoadTools tools, Testbed testbed)
{
    public async Task<Dictionary<string, double>> MeasureAsync(Topology topology)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var proxy in topology.Proxies)
        {
            var (rss, privateMiB) = ProcStats.Memory(proxy.Process.Pid);
            metrics[$"rss.idle.{proxy.Role}MiB"] = rss;
            metrics[$"rss.idle.{proxy.Role}PrivateMiB"] = privateMiB;
        }

        foreach (var connections in options.Connections)
        {
            await SaturatedAsync(topology, connections, metrics);
        }
        foreach (var rate in options.Rates)
        {
            await FixedRateAsync(topology, rate, metrics);
        }
        if (!options.SkipH2)
        {
            await H2Async(topology, "h2", topology.H2Url, topology.H2Authority, null, metrics);
            await H2Async(topology, "grpc", topology.GrpcUrl, topology.GrpcAuthority, testbed.GrpcBodyFile, metrics);
        }
        return metrics;
    }

    public Task WarmAsync(Topology topology) =>
        tools.WrkAsync(topology.HttpUrl, topology.HttpHost, options.Connections[0], Math.Max(1, options.WarmupS));

    private async Task SaturatedAsync(Topology topology, int connections, Dictionary<string, double> metrics)
    {
        var key = $"h1.c{connections}";
        var pids = topology.ProxyPids;
        var backendPid = testbed.Backends[0].Process.Pid;
        var sampler = new RssSampler(pids);
        var cpu0 = ProcStats.CpuMicroseconds(pids);
        var backend0 = ProcStats.CpuMicroseconds(backendPid);
        var result = await tools.WrkAsync(topology.HttpUrl, topology.HttpHost, connections, options.DurationS);
        var cpu1 = ProcStats.CpuMicroseconds(pids);
        var backend1 = ProcStats.CpuMicroseconds(backendPid);
        var rss = await sampler.StopAsync();

        metrics[$"{key}.rps"] = result.Rps;
        metrics[$"{key}.errors"] = result.Errors;
        metrics[$"{key}.closedLoopP50Us"] = result.P50Us;
        metrics[$"{key}.closedLoopP99Us"] = result.P99Us;
        metrics[$"{key}.backendCpuUsPerReq"] = (backend1 - backend0) / Math.Max(1, result.Requests);
        if (pids.Count > 0)
        {
            metrics[$"{key}.cpuUsPerReq"] = (cpu1 - cpu0) / Math.Max(1, result.Requests);
            AddRss(topology, $"{key}.rss", rss, metrics);
        }
    }

    private async Task FixedRateAsync(Topology topology, int rate, Dictionary<string, double> metrics)
    {
        var key = $"h1.r{rate}";
        var pids = topology.ProxyPids;
        var sampler = new RssSampler(pids);
        using var stop = new CancellationTokenSource();
        var cpuWindow = CpuWindowAsync(pids, stop.Token);
        var result = await tools.OpenLoopAsync(topology.HttpUrl, topology.HttpHost, rate, options.DurationS);
        await stop.CancelAsync();
        var (cpuMicroseconds, seconds) = await cpuWindow;
        var rss = await sampler.StopAsync();

        metrics[$"{key}.p50Us"] = result.P50Us;
        metrics[$"{key}.p90Us"] = result.P90Us;
        metrics[$"{key}.p99Us"] = result.P99Us;
        metrics[$"{key}.p999Us"] = result.P999Us;
        metrics[$"{key}.achievedRps"] = result.Rps;
        metrics[$"{key}.errors"] = result.Errors;
        metrics[$"{key}.unfinished"] = result.Unfinished;
        if (pids.Count > 0)
        {
            // CPU over a window inside the measured phase, divided by the requests scheduled in that window.
            metrics[$"{key}.cpuUsPerReq"] = seconds > 0 ? cpuMicroseconds / (rate * seconds) : double.NaN;
            AddRss(topology, $"{key}.rss", rss, metrics);
        }
    }

    // Starts sampling after the warm-up (plus the generator's start-up) and stops a second before the run ends.
    private async Task<(double CpuMicroseconds, double Seconds)> CpuWindowAsync(IReadOnlyList<int> pids, CancellationToken stop)
    {
        if (pids.Count == 0)
        {
            return (0, 0);
        }
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(options.WarmupS + 0.7), stop);
            var start = Stopwatch.GetTimestamp();
            var cpu0 = ProcStats.CpuMicroseconds(pids);
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, options.DurationS - 1.5)), stop);
            return (ProcStats.CpuMicroseconds(pids) - cpu0, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        catch (OperationCanceledException)
        {
            return (0, 0);
        }
    }

    private async Task H2Async(Topology topology, string lane, Uri? url, string? authority, string? body,
        Dictionary<string, double> metrics)
    {
        if (url is null || authority is null)
        {
            return;
        }
        var pids = topology.ProxyPids;
        var cpu0 = ProcStats.CpuMicroseconds(pids);
        var saturated = await tools.H2LoadAsync(url, authority, 0, options.DurationS, body);
        var cpu1 = ProcStats.CpuMicroseconds(pids);
        metrics[$"{lane}.sat.rps"] = saturated.Rps;
        metrics[$"{lane}.sat.errors"] = saturated.Errors;
        if (pids.Count > 0)
        {
            // Includes h2load's warm-up requests in the CPU but not in the count: an upper bound.
            metrics[$"{lane}.sat.cpuUsPerReq"] = (cpu1 - cpu0) / Math.Max(1, saturated.Requests);
        }

        var fixedRate = await tools.H2LoadAsync(url, authority, options.H2Rate, options.DurationS, body);
        var key = $"{lane}.r{options.H2Rate}";
        metrics[$"{key}.p50Us"] = fixedRate.P50Us;
        metrics[$"{key}.p90Us"] = fixedRate.P90Us;
        metrics[$"{key}.p99Us"] = fixedRate.P99Us;
        metrics[$"{key}.p999Us"] = fixedRate.P999Us;
        metrics[$"{key}.achievedRps"] = fixedRate.Rps;
        metrics[$"{key}.errors"] = fixedRate.Errors;
    }

    private static void AddRss(Topology topology, string key, (double[] Rss, double[] Private) memory, Dictionary<string, double> metrics)
    {
        for (var i = 0; i < topology.Proxies.Count; i++)
        {
            metrics[$"{key}.{topology.Proxies[i].Role}MiB"] = memory.Rss[i];
            metrics[$"{key}.{topology.Proxies[i].Role}PrivateMiB"] = memory.Private[i];
        }
        metrics[$"{key}.maxMiB"] = memory.Rss.Max();
        metrics[$"{key}.maxPrivateMiB"] = memory.Private.Max();
    }
}

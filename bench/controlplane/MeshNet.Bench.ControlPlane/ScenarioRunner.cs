using System.Diagnostics;
using MeshNet.Bench.Dataplane;

namespace MeshNet.Bench.ControlPlane;

/// <summary>One mesh size with one debounce setting.</summary>
internal sealed record Scenario(int Services, int EndpointsPerService, int Sidecars, string DebounceQuiet)
{
    public string Name => $"{Services}x{EndpointsPerService}x{Sidecars} quiet={DebounceQuiet}";
}

/// <summary>What one scenario measured. Times in milliseconds, sizes in bytes, memory in MiB.</summary>
internal sealed record ScenarioResult(
    Scenario Scenario,
    double ReadyMs,
    double InitialSyncMs,
    double FirstConfigP50Ms,
    double FirstConfigP99Ms,
    double FullStateBytesMedian,
    double InitialCpuMs,
    IReadOnlyList<ChangeResult> Changes,
    double RssAfterLoadMiB,
    double RssAfterSyncMiB,
    double RssMaxMiB,
    string? Failure);

/// <summary>One endpoint flip: time until each sidecar ACKed a new response, and what each received.</summary>
internal sealed record ChangeResult(
    double AllAckedMs,
    double SidecarP50Ms,
    double SidecarP99Ms,
    double BytesPerSidecarMedian,
    double BytesPerSidecarMax,
    double ResponsesPerSidecarMax,
    double ControlCpuMs,
    int Missing);

/// <summary>
/// Generates the mesh, starts a real meshnet-control on it, connects the simulated sidecars over real gRPC, then
/// flips one Pod's readiness a number of times and times the propagation to every sidecar.
/// </summary>
internal sealed class ScenarioRunner(string workDirectory, string? controlCpus, int changes)
{
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(30);

    public async Task<ScenarioResult> RunAsync(Scenario scenario)
    {
        var manifests = Path.Combine(workDirectory, $"mesh-{scenario.Services}x{scenario.EndpointsPerService}");
        ManifestGenerator.Write(manifests, scenario.Services, scenario.EndpointsPerService);
        var logs = Path.Combine(workDirectory, "logs");
        Directory.CreateDirectory(logs);

        var started = Stopwatch.GetTimestamp();
        using var control = ChildProcess.Start(
            $"meshnet-control-{scenario.Services}x{scenario.EndpointsPerService}x{scenario.Sidecars}-{scenario.DebounceQuiet}",
            "dotnet",
            [
                BinLocator.Dll("MeshNet.ControlPlane", "meshnet-control"), "--config", manifests,
                "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--debounce-quiet", scenario.DebounceQuiet,
            ],
            controlCpus, logs);
        var ready = await control.WaitForLineAsync(@"meshnet-control ready grpc=(\S+) admin=(\S+)", TimeSpan.FromMinutes(10));
        var readyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var rssAfterLoad = ProcStats.RssMiB(control.Pid);
        var rssSampler = new RssSampler([control.Pid]);

        var sidecars = Enumerable.Range(0, scenario.Sidecars)
            .Select(i => new SimulatedSidecar("http://" + ready.Groups[1].Value, i)).ToArray();
        try
        {
            var cpu0 = ProcStats.CpuMicroseconds(control.Pid);
            var connected = Stopwatch.GetTimestamp();
            foreach (var sidecar in sidecars)
            {
                sidecar.Start();
            }
            if (!await WaitAsync(() => sidecars.All(s => s.Snapshot().Count > 0 || s.Failure is not null), TimeSpan.FromMinutes(5)))
            {
                return Failed(scenario, readyMs, rssAfterLoad, "not every sidecar got a first config within 5 minutes");
            }
            var failures = sidecars.Where(s => s.Failure is not null).Select(s => s.Failure).Distinct().ToArray();
            if (failures.Length > 0)
            {
                return Failed(scenario, readyMs, rssAfterLoad, "stream failed: " + string.Join("; ", failures));
            }
            var firsts = sidecars.Select(s => s.Snapshot()[0]).ToArray();
            var firstMs = firsts.Select(f => Ms(connected, f.AckedAt)).ToArray();
            var initialCpuMs = (ProcStats.CpuMicroseconds(control.Pid) - cpu0) / 1000;
            var rssAfterSync = ProcStats.RssMiB(control.Pid);

            // Let the initial burst settle (the control plane may still send a follow-up while sidecars register).
            await Task.Delay(1000);
            var results = new List<ChangeResult>();
            for (var i = 0; i < changes; i++)
            {
                results.Add(await FlipAsync(manifests, sidecars, control.Pid, ready: i % 2 == 1));
            }

            return new ScenarioResult(scenario, readyMs, firstMs.Max(), Percentile(firstMs, 0.5), Percentile(firstMs, 0.99),
                Percentile(firsts.Select(f => (double)f.Bytes).ToArray(), 0.5), initialCpuMs, results,
                rssAfterLoad, rssAfterSync, (await rssSampler.StopAsync()).Rss[0], null);
        }
        finally
        {
            foreach (var sidecar in sidecars)
            {
                await sidecar.DisposeAsync();
            }
            await rssSampler.DisposeAsync();
        }
    }

    private static async Task<ChangeResult> FlipAsync(string manifests, SimulatedSidecar[] sidecars, int controlPid, bool ready)
    {
        var before = sidecars.Select(s => s.Snapshot().Count).ToArray();
        var cpu0 = ProcStats.CpuMicroseconds(controlPid);
        var changed = Stopwatch.GetTimestamp();
        ManifestGenerator.WriteFlipPod(manifests, ready);

        await WaitAsync(() => sidecars.Select((s, i) => s.Snapshot().Count > before[i]).All(x => x), ChangeTimeout);
        // Collect stragglers: a second response for the same change would count towards its bytes.
        await Task.Delay(500);
        var cpuMs = (ProcStats.CpuMicroseconds(controlPid) - cpu0) / 1000;

        var perSidecar = sidecars.Select((s, i) => s.Snapshot().Skip(before[i]).ToArray()).ToArray();
        var latencies = perSidecar.Where(r => r.Length > 0).Select(r => Ms(changed, r[0].AckedAt)).ToArray();
        var bytes = perSidecar.Select(r => (double)r.Sum(x => x.Bytes)).ToArray();
        return new ChangeResult(
            latencies.Length == 0 ? double.NaN : latencies.Max(),
            Percentile(latencies, 0.5),
            Percentile(latencies, 0.99),
            Percentile(bytes, 0.5),
            bytes.Max(),
            perSidecar.Max(r => r.Length),
            cpuMs,
            perSidecar.Count(r => r.Length == 0));
    }

    private static ScenarioResult Failed(Scenario scenario, double readyMs, double rss, string failure) =>
        new(scenario, readyMs, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, [], rss, double.NaN, double.NaN, failure);

    // Polls with a deadline; the times themselves come from the sidecars' own ACK timestamps, not from this loop.
    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                return false;
            }
            await Task.Delay(2);
        }
        return true;
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

using System.Globalization;
using System.Text;

namespace MeshNet.Bench.ControlPlane;

internal static class Report
{
    public static string Row(ScenarioResult r)
    {
        if (r.Failure is not null && r.Changes.Count == 0)
        {
            return $"| {r.Scenario.Name} | {F(r.ReadyMs)} | FAILED: {r.Failure} |||||||||";
        }
        var all = r.Changes.Select(c => c.AllAckedMs).ToArray();
        var perSidecar = r.Changes.Select(c => c.SidecarP50Ms).ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"| {r.Scenario.Name} | {F(r.ReadyMs)} | {F(r.InitialSyncMs)} | {F(r.FullStateBytesMedian / 1024)} | {F(r.InitialCpuMs)} | " +
            $"{F(ScenarioRunner.Percentile(all, 0.5))} / {F(ScenarioRunner.Percentile(all, 0.99))} | " +
            $"{F(ScenarioRunner.Percentile(perSidecar, 0.5))} | " +
            $"{F(ScenarioRunner.Percentile(r.Changes.Select(c => c.BytesPerSidecarMedian).ToArray(), 0.5))} | " +
            $"{F(ScenarioRunner.Percentile(r.Changes.Select(c => c.ControlCpuMs).ToArray(), 0.5))} | " +
            $"{F(r.RssAfterLoadMiB)} / {F(r.RssAfterSyncMiB)} / {F(r.RssMaxMiB)} | {r.Changes.Sum(c => c.Missing)} |");
    }

    public static string Markdown(string startedAt, string commandLine, int nproc, string kernel, string load, string? cpus,
        int changes, IReadOnlyList<ScenarioResult> results)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Control-plane benchmark, {startedAt}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `{commandLine}`  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {nproc} CPUs, kernel {kernel}; load average at the end {load}  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"meshnet-control pinned to cpu {cpus ?? "(not pinned)"}; {changes} endpoint flips per scenario (one Pod's Ready condition, alternately False/True, written by atomic rename).");
        md.AppendLine();
        md.AppendLine("Size = services x endpoints per service x simulated sidecars (each its own gRPC connection, ACKing every response).");
        md.AppendLine();
        md.AppendLine("| scenario | start→ready ms (load + index) | all K first config ms | full state KiB/sidecar | CP CPU ms for initial sync | change→all K ACKed ms p50 / p99 | per-sidecar ACK ms p50 | bytes/sidecar/change | CP CPU ms/change | CP RSS MiB loaded / synced / max | missed |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var result in results)
        {
            md.AppendLine(Row(result));
        }
        md.AppendLine();
        md.AppendLine("Notes: 'change→all K ACKed' runs from the file rename to the last sidecar's ACK of the response carrying the change, "
            + "so it includes the file watcher, the debounce quiet period, recompilation, the delta and the gRPC hop. "
            + "p50/p99 are over the flips (with few flips the p99 is the worst flip). 'missed' counts sidecars that got no response for a flip within 30 s. "
            + "bytes = serialized DiscoveryResponse sizes received per sidecar for one flip.");
        return md.ToString();
    }

    private static string F(double value) => double.IsNaN(value) ? "—" : value.ToString(value >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture);
}

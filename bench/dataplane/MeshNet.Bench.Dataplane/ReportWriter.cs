using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MeshNet.Bench.Dataplane;

/// <summary>Writes &lt;date&gt;-dataplane.md (tables) and .json (raw per-round numbers, summaries and ratios).</summary>
internal sealed class ReportWriter(DataplaneOptions options, MachineFacts machine, IReadOnlyList<string> topologies)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public (string Markdown, string Json) Write(string directory, string stem, IReadOnlyList<RoundResult> results,
        IReadOnlyDictionary<string, string> unavailable, IReadOnlyDictionary<string, string> processes, IReadOnlyList<string> loadCommands)
    {
        Directory.CreateDirectory(directory);
        var ratios = Summary.Ratios.Select(r => Summary.Evaluate(r, results)).ToArray();
        var headroom = Summary.Headroom(results, options.Connections).ToArray();
        var mtls = topologies.Contains(Summary.MtlsTopology) && topologies.Contains("meshnet")
            ? Summary.MtlsRatios(results).ToArray()
            : [];
        var byTopology = Summary.ByTopology(results);

        var jsonPath = Path.Combine(directory, stem + ".json");
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(new
        {
            machine,
            options,
            processes,
            loadCommands,
            unavailable,
            ratios = ratios.Select(r => new
            {
                name = r.Spec.Name,
                numerator = $"{r.Spec.Topology}:{r.Spec.Metric}",
                denominator = r.Spec.OverTopology is null ? null : $"{r.Spec.OverTopology}:{r.Spec.OverMetric}",
                target = r.Spec.Target,
                minimum = r.Spec.Minimum,
                lowerIsBetter = r.Spec.LowerIsBetter,
                value = r.Value,
                verdict = r.Verdict,
            }),
            headroom = headroom.Select(h => new { name = h.Name, value = h.Value }),
            mtlsCost = mtls.Select(m => new { name = m.Name, value = m.Value }),
            summary = byTopology,
            rounds = results,
        }, Json));

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Data-plane benchmark, {machine.StartedAt}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `{machine.CommandLine}`  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine.Nproc} CPUs ({machine.CpuModel}), {machine.MemTotal}, kernel {machine.Kernel}, {machine.Runtime}  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Load average before / after: {machine.LoadBefore} / {machine.LoadAfter}  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Tools: {string.Join("; ", machine.Tools)}  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Pinning: {(options.Pin ? $"load generator cpu {options.LoadGenCpus}, backend cpu {options.BackendCpus}, both proxy hops cpu {options.ProxyCpus}" : "none")}  ");
        if (options.MeshNetEnvironment.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Experiment: meshnet sidecars run with {string.Join(" ", options.MeshNetEnvironment.Select(e => $"`{e.Key}={e.Value}`"))}  ");
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"Rounds: {options.Rounds}, interleaved ({string.Join(" ", topologies)} per round); {options.DurationS:0.#} s per measurement after {options.WarmupS:0.#} s warm-up.");
        md.AppendLine();
        md.AppendLine("Each cell: median (min–max) over rounds. Ratios are computed per round from the same interleaved round, then summarised.");
        md.AppendLine();
        foreach (var (name, reason) in unavailable)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"**{name} unavailable:** {reason}");
            md.AppendLine();
        }

        md.AppendLine("## Ratios (issue targets)");
        md.AppendLine();
        md.AppendLine("| ratio | median (min–max) | target | minimum | verdict |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var r in ratios)
        {
            var op = r.Spec.LowerIsBetter ? "<=" : ">=";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Spec.Name} | {Cell(r.Value)} | {op} {r.Spec.Target} | {op} {r.Spec.Minimum} | {r.Verdict} |");
        }
        foreach (var (name, value) in headroom)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} (backend not the bottleneck) | {Cell(value)} | — | — | informational |");
        }
        md.AppendLine();

        if (mtls.Length > 0)
        {
            md.AppendLine("## mTLS between the sidecars: meshnet-mtls / meshnet (informational)");
            md.AppendLine();
            md.AppendLine("Both topologies are the same two sidecars in front of the same backend; in meshnet-mtls both hold a "
                + "certificate from their control plane's CA and the namespace is STRICT, so the hop between them is TLS 1.3 "
                + "with client certificates over pooled connections.");
            md.AppendLine();
            md.AppendLine("| ratio | median (min–max) |");
            md.AppendLine("|---|---|");
            foreach (var (name, value) in mtls)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Cell(value)} |");
            }
            md.AppendLine();
        }

        Section(md, byTopology, "HTTP/1.1 saturated (wrk, keep-alive, 1 KiB; closed loop)", "h1.c");
        Section(md, byTopology, "HTTP/1.1 fixed rate (open loop, latency from intended send time)", "h1.r");
        Section(md, byTopology, "h2c (h2load, prior knowledge)", "h2.");
        Section(md, byTopology, "gRPC unary (h2load, 64 B request, 1 KiB reply)", "grpc.");
        Section(md, byTopology, "Idle memory", "rss.idle");
        md.AppendLine("Units: Us = microseconds, MiB = VmRSS. cpuUsPerReq = utime+stime of both proxy processes / requests. "
            + "rss.*.clientMiB / serverMiB = VmRSS of the client-side and server-side hop; maxMiB = the larger; *PrivateMiB = "
            + "RssAnon + RssShmem (heap, stacks, JIT'd code), i.e. VmRSS without the file-backed pages of mapped assemblies, "
            + "which every process mapping the same files shares. "
            + "h2load latencies are from each request's actual send (h2load --rps), not its intended time.");

        var mdPath = Path.Combine(directory, stem + ".md");
        File.WriteAllText(mdPath, md.ToString());
        return (mdPath, jsonPath);
    }

    private void Section(StringBuilder md, Dictionary<string, Dictionary<string, Spread>> byTopology, string title, string prefix)
    {
        var metrics = byTopology.Values.SelectMany(m => m.Keys).Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal).ToArray();
        if (metrics.Length == 0)
        {
            return;
        }
        var columns = topologies.Where(byTopology.ContainsKey).ToArray();
        md.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
        md.AppendLine();
        md.AppendLine("| metric | " + string.Join(" | ", columns) + " |");
        md.AppendLine("|---|" + string.Concat(columns.Select(_ => "---|")));
        foreach (var metric in metrics)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {metric} | {string.Join(" | ", columns.Select(t => Cell(byTopology[t].GetValueOrDefault(metric))))} |");
        }
        md.AppendLine();
    }

    private static string Cell(Spread? spread) => spread is null
        ? "—"
        : spread.N == 1 ? Format(spread.Median) : $"{Format(spread.Median)} ({Format(spread.Min)}–{Format(spread.Max)})";

    private static string Format(double value) => Math.Abs(value) switch
    {
        >= 1000 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.#", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}

namespace MeshNet.Bench.Dataplane;

/// <summary>Median and range of one metric over the rounds.</summary>
internal sealed record Spread(double Median, double Min, double Max, int N)
{
    public static Spread? Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v) && !double.IsInfinity(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Spread(median, sorted[0], sorted[^1], sorted.Length);
    }
}

/// <summary>One measured (round, topology) pair.</summary>
internal sealed record RoundResult(int Round, string Topology, Dictionary<string, double> Metrics, string? Error);

/// <summary>An acceptance ratio from the issue: numerator / denominator metric, or an absolute figure.</summary>
internal sealed record RatioSpec(
    string Name,
    string Topology,
    string Metric,
    string? OverTopology,
    string? OverMetric,
    double Target,
    double Minimum,
    bool LowerIsBetter);

/// <summary>A ratio computed per round (both sides from the same interleaved round), then summarised.</summary>
internal sealed record RatioResult(RatioSpec Spec, Spread? Value, string Verdict);

internal static class Summary
{
    public static readonly RatioSpec[] Ratios =
    [
        new("meshnet p99 @1000 RPS / direct p99", "meshnet", "h1.r1000.p99Us", "direct", "h1.r1000.p99Us", 1.5, 3, true),
        new("meshnet RPS / haproxy RPS (16 conns)", "meshnet", "h1.c16.rps", "haproxy", "h1.c16.rps", 1.0, 0.5, false),
        new("meshnet CPU-us/req / haproxy CPU-us/req (16 conns)", "meshnet", "h1.c16.cpuUsPerReq", "haproxy", "h1.c16.cpuUsPerReq", 1.3, 3, true),
        new("meshnet RPS / stock yarp RPS (16 conns)", "meshnet", "h1.c16.rps", "yarp", "h1.c16.rps", 1.2, 0.9, false),
        new("sidecar RSS @1000 RPS, MiB (largest of the two)", "meshnet", "h1.r1000.rss.maxMiB", null, null, 25, 80, true),
    ];

    /// <summary>Informational: how far the backend is from being the bottleneck (direct RPS over the best proxied RPS).</summary>
    public static IEnumerable<(string Name, Spread? Value)> Headroom(IReadOnlyList<RoundResult> results, IEnumerable<int> connections)
    {
        foreach (var c in connections)
        {
            var metric = $"h1.c{c}.rps";
            var perRound = results.GroupBy(r => r.Round).Select(g =>
            {
                var direct = g.FirstOrDefault(r => r.Topology == "direct")?.Metrics.GetValueOrDefault(metric, double.NaN) ?? double.NaN;
                var best = g.Where(r => r.Topology != "direct").Select(r => r.Metrics.GetValueOrDefault(metric, double.NaN))
                    .Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();
                return direct / best;
            });
            yield return ($"direct RPS / best proxied RPS ({c} conns)", Spread.Of(perRound));
        }
    }

    /// <summary>
    /// What mTLS between the two sidecars costs: meshnet-mtls over meshnet (plaintext sidecars), metric by metric,
    /// each ratio taken within a round. Informational: the issue sets no bound.
    /// </summary>
    public static readonly (string Name, string Metric)[] MtlsCost =
    [
        ("RPS, 16 conns", "h1.c16.rps"),
        ("RPS, 128 conns", "h1.c128.rps"),
        ("CPU-us/req, 16 conns", "h1.c16.cpuUsPerReq"),
        ("CPU-us/req, 128 conns", "h1.c128.cpuUsPerReq"),
        ("p99 @1000 RPS", "h1.r1000.p99Us"),
        ("p99 @5000 RPS", "h1.r5000.p99Us"),
        ("CPU-us/req @1000 RPS", "h1.r1000.cpuUsPerReq"),
        ("h2c RPS, saturated", "h2.sat.rps"),
        ("gRPC RPS, saturated", "grpc.sat.rps"),
        ("sidecar RSS @1000 RPS (largest)", "h1.r1000.rss.maxMiB"),
    ];

    public const string MtlsTopology = "meshnet-mtls";

    public static IEnumerable<(string Name, Spread? Value)> MtlsRatios(IReadOnlyList<RoundResult> results) =>
        MtlsCost.Select(c => ($"meshnet-mtls / meshnet: {c.Name}", PerRound(results, MtlsTopology, c.Metric, "meshnet", c.Metric)));

    public static RatioResult Evaluate(RatioSpec spec, IReadOnlyList<RoundResult> results)
    {
        var value = PerRound(results, spec.Topology, spec.Metric, spec.OverTopology, spec.OverMetric);
        if (value is null)
        {
            return new RatioResult(spec, null, "not measured");
        }
        bool Meets(double bound) => spec.LowerIsBetter ? value.Median <= bound : value.Median >= bound;
        var verdict = Meets(spec.Target) ? "meets target" : Meets(spec.Minimum) ? "meets minimum, misses target" : "MISSES MINIMUM";
        return new RatioResult(spec, value, verdict);
    }

    /// <summary>topology:metric over overTopology:overMetric within each round (or the plain figure), summarised.</summary>
    private static Spread? PerRound(IReadOnlyList<RoundResult> results, string topology, string metric, string? overTopology, string? overMetric) =>
        Spread.Of(results.GroupBy(r => r.Round).Select(g =>
        {
            var top = g.FirstOrDefault(r => r.Topology == topology)?.Metrics.GetValueOrDefault(metric, double.NaN) ?? double.NaN;
            if (overTopology is null || overMetric is null)
            {
                return top;
            }
            var bottom = g.FirstOrDefault(r => r.Topology == overTopology)?.Metrics.GetValueOrDefault(overMetric, double.NaN) ?? double.NaN;
            return top / bottom;
        }));

    public static Dictionary<string, Dictionary<string, Spread>> ByTopology(IReadOnlyList<RoundResult> results) =>
        results.GroupBy(r => r.Topology).ToDictionary(
            g => g.Key,
            g => g.SelectMany(r => r.Metrics.Keys).Distinct()
                .Select(k => (k, Spread.Of(g.Select(r => r.Metrics.GetValueOrDefault(k, double.NaN)))))
                .Where(x => x.Item2 is not null)
                .ToDictionary(x => x.k, x => x.Item2!));
}

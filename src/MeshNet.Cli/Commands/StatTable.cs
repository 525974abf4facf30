using System.Globalization;

namespace MeshNet.Cli.Commands;

/// <summary>
/// Golden metrics per Service as `linkerd viz stat` shows them: NAME, MESHED, SUCCESS, RPS, LATENCY_P50/P95/P99,
/// MTLS, left-aligned three spaces apart, NAMESPACE first with -A, "-" where the window holds no request.
/// </summary>
internal static class StatTable
{
    public static string Format(IEnumerable<StatRow> rows, bool allNamespaces)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var table = new List<List<string>>();
        string[] header = ["NAME", "MESHED", "SUCCESS", "RPS", "LATENCY_P50", "LATENCY_P95", "LATENCY_P99", "MTLS"];
        table.Add(allNamespaces ? ["NAMESPACE", .. header] : [.. header]);
        foreach (var row in rows.OrderBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Service, StringComparer.Ordinal))
        {
            string[] cells =
            [
                row.Service,
                row.Meshed.ToString(CultureInfo.InvariantCulture),
                Percent(row.SuccessRate, "0.00"),
                Rps(row),
                Milliseconds(row.LatencyMs?.P50),
                Milliseconds(row.LatencyMs?.P95),
                Milliseconds(row.LatencyMs?.P99),
                Percent(row.MtlsShare, "0"),
            ];
            table.Add(allNamespaces ? [row.Namespace, .. cells] : [.. cells]);
        }

        return ServiceTable.Align(table);
    }

    private static string Percent(double? share, string format) =>
        share is { } value ? (value * 100).ToString(format, CultureInfo.InvariantCulture) + "%" : "-";

    private static string Rps(StatRow row) =>
        row.Requests == 0 && row.Rps == 0 ? "-" : row.Rps.ToString("0.0#", CultureInfo.InvariantCulture) + "rps";

    /// <summary>Sub-millisecond latencies are the mesh's normal case, so small values keep two decimals.</summary>
    private static string Milliseconds(double? ms) => ms switch
    {
        null => "-",
        < 10 => ms.Value.ToString("0.##", CultureInfo.InvariantCulture) + "ms",
        < 100 => ms.Value.ToString("0.#", CultureInfo.InvariantCulture) + "ms",
        _ => ms.Value.ToString("0", CultureInfo.InvariantCulture) + "ms",
    };
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshNet.Cli.Commands;

/// <summary>One entry of the control plane's GET /debug/stat: a Service's golden metrics over the window.</summary>
/// <param name="SuccessRate">Null when the window holds no request (as are the latencies and the mTLS share).</param>
internal sealed record StatRow(
    string Namespace,
    string Service,
    int Meshed,
    long Requests,
    double? SuccessRate,
    double Rps,
    StatLatency? LatencyMs,
    double? MtlsShare);

internal sealed record StatLatency(double? P50, double? P95, double? P99);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(List<StatRow>))]
internal sealed partial class StatJsonContext : JsonSerializerContext;

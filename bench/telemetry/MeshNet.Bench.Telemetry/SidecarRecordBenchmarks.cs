using BenchmarkDotNet.Attributes;
using MeshNet.Proxy.Telemetry;
using MeshNet.Proxy.Telemetry.Metrics;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Bench.Telemetry;

/// <summary>
/// The sidecar's own per-request metrics path as RequestTelemetry runs it after a response: read the error header,
/// build the series key, look the series up and record (a label set that exists, as in steady state).
/// </summary>
[MemoryDiagnoser]
public class SidecarRecordBenchmarks
{
    private readonly ProxyMetrics _metrics = new();
    private readonly HeaderDictionary _ok = new();
    private readonly HeaderDictionary _failed = new() { ["x-meshnet-error"] = "no-healthy-endpoints" };
    private readonly string[] _services = ["blog/posts", "blog/comments"];
    private int _next;

    [Benchmark(Description = "outbound request: error label + series lookup + counter + histogram")]
    public void RecordOutbound()
    {
        var i = _next++;
        var failed = (i & 7) == 0;
        var error = ErrorLabels.Normalize((failed ? _failed : _ok)["x-meshnet-error"]);
        var key = new RequestSeriesKey(TrafficDirection.Outbound, "frontend", "blog", _services[i & 1], string.Empty, string.Empty, failed ? 503 : 200, error, true);
        _metrics.RecordRequest(key, 0.0031);
    }
}

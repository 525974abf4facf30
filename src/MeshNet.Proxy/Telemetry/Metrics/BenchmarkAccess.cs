using System.Runtime.CompilerServices;

// The telemetry micro-benchmark records requests through ProxyMetrics and ErrorLabels directly.
[assembly: InternalsVisibleTo("MeshNet.Bench.Telemetry")]

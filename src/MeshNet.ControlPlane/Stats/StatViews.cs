namespace MeshNet.ControlPlane.Stats;

/// <summary>/debug/stat entry: one Service's golden metrics over the window, from its callers' sidecars.</summary>
/// <param name="Meshed">Workloads with a sidecar among the Service's endpoints.</param>
/// <param name="SuccessRate">Share of requests that got a response other than 5xx; null when there was no request.</param>
/// <param name="MtlsShare">Share of requests sent over mTLS; null when there was no request.</param>
internal sealed record StatView(
    string Namespace,
    string Service,
    int Meshed,
    long Requests,
    double? SuccessRate,
    double Rps,
    LatencyView LatencyMs,
    double? MtlsShare);

/// <summary>Latency quantiles in milliseconds, interpolated within histogram buckets; null when there was no request.</summary>
internal sealed record LatencyView(double? P50, double? P95, double? P99);

/// <summary>/debug/edges entry: observed traffic from one workload to one Service over the window.</summary>
internal sealed record EdgeView(
    EdgeSourceView Source,
    EdgeDestinationView Destination,
    long Requests,
    double Rps,
    double? SuccessRate,
    double? P99Ms,
    double? MtlsShare);

internal sealed record EdgeSourceView(string Namespace, string Workload);

internal sealed record EdgeDestinationView(string Namespace, string Service);

/// <summary>/debug/stat/history answer: a Service's (or one caller's edge to it) golden metrics step by step.</summary>
/// <param name="Source">The calling workload when the series is an edge's; null for every caller.</param>
/// <param name="Points">Oldest first, one per step, ending at the last step that is over.</param>
internal sealed record StatHistoryView(
    string Namespace,
    string Service,
    EdgeSourceView? Source,
    double WindowSeconds,
    double StepSeconds,
    IReadOnlyList<StatPointView> Points);

/// <summary>One step (Time - step, Time] of a history, computed as /debug/stat computes a window.</summary>
/// <param name="Rps">Null when no sidecar was scraped during the step (nothing is known), 0 when none was called.</param>
internal sealed record StatPointView(
    DateTimeOffset Time,
    long Requests,
    double? Rps,
    double? SuccessRate,
    LatencyView LatencyMs,
    double? MtlsShare);

namespace MeshNet.ControlPlane.Stats;

/// <summary>
/// Requests counted for one group (a Service, or a source → Service edge) over a window, summed over sidecars.
/// Not thread-safe: built by one query.
/// </summary>
internal sealed class TrafficTotals
{
    private readonly Dictionary<double, double> _buckets = [];

    public double Requests { get; private set; }

    public double Successes { get; private set; }

    public double Mtls { get; private set; }

    /// <summary>Requests per second: each sidecar's increase over its own scrape span, summed.</summary>
    public double Rps { get; private set; }

    public void AddRequests(LabelSet labels, double increase, TimeSpan span)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Requests += increase;
        if (SidecarMetricNames.IsSuccess(labels[SidecarMetricNames.Code]))
        {
            Successes += increase;
        }

        if (string.Equals(labels[SidecarMetricNames.Tls], "true", StringComparison.Ordinal))
        {
            Mtls += increase;
        }

        if (span > TimeSpan.Zero)
        {
            Rps += increase / span.TotalSeconds;
        }
    }

    public void AddBucket(double upperBound, double increase) =>
        _buckets[upperBound] = _buckets.GetValueOrDefault(upperBound) + increase;

    public GoldenMetrics ToGoldenMetrics()
    {
        var requests = (long)Math.Round(Requests);
        return new GoldenMetrics(
            requests,
            requests == 0 ? null : Math.Round(Successes / Requests, 4),
            Math.Round(Rps, 3),
            QuantileMs(0.50),
            QuantileMs(0.95),
            QuantileMs(0.99),
            requests == 0 ? null : Math.Round(Mtls / Requests, 4));
    }

    private double? QuantileMs(double q)
    {
        var seconds = HistogramQuantile.Compute(q, _buckets);
        return double.IsFinite(seconds) ? Math.Round(seconds * 1000, 3) : null;
    }
}

/// <summary>Success rate, throughput and latency of one group; rates are null when no request was counted.</summary>
internal sealed record GoldenMetrics(
    long Requests, double? SuccessRate, double Rps, double? P50Ms, double? P95Ms, double? P99Ms, double? MtlsShare);

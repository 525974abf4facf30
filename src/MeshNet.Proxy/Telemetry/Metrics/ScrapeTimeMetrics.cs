using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Resilience;

namespace MeshNet.Proxy.Telemetry.Metrics;

/// <summary>
/// Metrics whose source of truth lives elsewhere, refreshed just before each scrape: the clusters' resilience
/// counters summed per destination Service (the registry never forgets a cluster, so the sums only grow), the applied
/// config version and the age of the last ACK, the certificate's time to expiry.
/// </summary>
internal sealed class ScrapeTimeMetrics
{
    private readonly ProxyMetrics _metrics;
    private readonly ResilienceRegistry _resilience;
    private readonly ConfigApplier _applier;
    private readonly ICertificateSource _certificates;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private string? _version;

    public ScrapeTimeMetrics(ProxyMetrics metrics, ResilienceRegistry resilience, ConfigApplier applier, ICertificateSource certificates, TimeProvider time)
    {
        _metrics = metrics;
        _resilience = resilience;
        _applier = applier;
        _certificates = certificates;
        _time = time;
    }

    public void Refresh()
    {
        // Two scrapes at once would otherwise race on the version series.
        lock (_lock)
        {
            RefreshResilience();
            RefreshConfig();
            RefreshCertificate();
        }
    }

    private void RefreshResilience()
    {
        var totals = new Dictionary<string, (long Retries, long Exhausted, long Overflows, long Ejections)>(StringComparer.Ordinal);
        foreach (var cluster in _resilience.Clusters)
        {
            var stats = cluster.Stats;
            var service = cluster.Policy.Service;
            totals.TryGetValue(service, out var sum);
            totals[service] = (sum.Retries + stats.Retries, sum.Exhausted + stats.RetryBudgetExhausted, sum.Overflows + stats.Overflows, sum.Ejections + stats.Ejections);
        }

        foreach (var (service, sum) in totals)
        {
            var (name, ns) = ProxyMetrics.SplitService(service);
            _metrics.Retries.WithLabels(name, ns).IncTo(sum.Retries);
            _metrics.RetryBudgetExhausted.WithLabels(name, ns).IncTo(sum.Exhausted);
            _metrics.CircuitBreakerOverflows.WithLabels(name, ns).IncTo(sum.Overflows);
            _metrics.OutlierEjections.WithLabels(name, ns).IncTo(sum.Ejections);
        }
    }

    private void RefreshConfig()
    {
        var current = _applier.Current;
        if (!current.IsApplied)
        {
            return;
        }

        if (!string.Equals(_version, current.Version, StringComparison.Ordinal))
        {
            if (_version is not null)
            {
                _metrics.ConfigVersion.RemoveLabelled(_version);
            }

            _version = current.Version;
            _metrics.ConfigVersion.WithLabels(_version).Set(1);
        }

        if (_applier.LastAppliedTimestamp is { } applied)
        {
            _metrics.ConfigLastAckAge.Set(_time.GetElapsedTime(applied).TotalSeconds);
        }
    }

    private void RefreshCertificate()
    {
        if (_certificates.Current is { } certificate)
        {
            _metrics.CertificateExpiry.Set((certificate.NotAfter - _time.GetUtcNow()).TotalSeconds);
        }
    }
}

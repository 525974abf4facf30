using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Telemetry.Metrics;

/// <summary>GET /metrics on the admin listener: the Prometheus text exposition, scrape-time values refreshed first.</summary>
internal sealed class MetricsEndpoint(ProxyMetrics metrics, ScrapeTimeMetrics scrapeTime)
{
    public Task WriteAsync(HttpContext context)
    {
        scrapeTime.Refresh();
        return metrics.WriteAsync(context);
    }
}

using System.Collections.Concurrent;
using System.Net;
using MeshNet.ControlPlane.Discovery;
using MeshNet.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Stats;

/// <summary>
/// Scrapes every registered sidecar's /metrics (its Node.admin_address) each interval, keeps the outbound
/// request series in the <see cref="StatsStore"/> and prunes what is older than the retention.
/// </summary>
internal sealed partial class StatsCollector : BackgroundService
{
    // A scrape is a few KB; a sidecar answering megabytes has unbounded labels, and is refused rather than stored.
    private const int MaxScrapeBytes = 8 * 1024 * 1024;
    private static readonly TimeSpan ScrapeTimeout = TimeSpan.FromSeconds(3);

    private readonly StatsStore _store;
    private readonly ProxySnapshotCache _cache;
    private readonly StatsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StatsCollector> _logger;
    private readonly HttpClient _http;
    // Sidecars whose last scrape failed, so a sidecar that stays unreachable is logged once, not every interval.
    private readonly ConcurrentDictionary<string, bool> _failing = new(StringComparer.Ordinal);

    public StatsCollector(StatsStore store, ProxySnapshotCache cache, StatsOptions options, TimeProvider time, ILogger<StatsCollector> logger)
    {
        _store = store;
        _cache = cache;
        _options = options;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) })
        {
            Timeout = ScrapeTimeout,
            MaxResponseContentBufferSize = MaxScrapeBytes,
        };
    }

    /// <summary>Scrapes every sidecar once, in parallel, then prunes; the loop's body, and what tests call directly.</summary>
    public async Task ScrapeOnceAsync(CancellationToken cancellationToken)
    {
        var sidecars = _cache.Index.Snapshot.Workloads.Values
            .Where(w => string.Equals(w.Kind, ResourceKinds.Sidecar, StringComparison.Ordinal) && !string.IsNullOrEmpty(w.AdminAddress))
            .ToList();
        await Task.WhenAll(sidecars.Select(w => ScrapeAsync(w, cancellationToken))).ConfigureAwait(false);
        _store.Prune(_time.GetUtcNow() - _options.Retention);
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.Interval, _time);
        try
        {
            do
            {
                await ScrapeOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ScrapeAsync(Workload sidecar, CancellationToken cancellationToken)
    {
        var id = MeshNames.NamespacedName(sidecar.Namespace, sidecar.Name);
        if (!IPEndPoint.TryParse(sidecar.AdminAddress!, out var admin) || admin.Port == 0)
        {
            NoteFailure(id, sidecar.AdminAddress!, "not an IP:port address");
            return;
        }

        try
        {
            var text = await _http.GetStringAsync(new Uri($"http://{admin}/metrics"), cancellationToken).ConfigureAwait(false);
            // A NaN counter would poison every sum it enters; it says nothing about traffic anyway.
            var samples = PrometheusTextParser.Parse(text, SidecarMetricNames.IsKept).Where(s => !double.IsNaN(s.Value));
            _store.Record(id, _time.GetUtcNow(), samples);
            if (_failing.TryRemove(id, out _))
            {
                LogScrapeRecovered(id);
            }
        }
        catch (Exception e) when (e is HttpRequestException or FormatException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            NoteFailure(id, admin.ToString(), e.Message);
        }
    }

    private void NoteFailure(string id, string address, string reason)
    {
        if (_failing.TryAdd(id, true))
        {
            LogScrapeFailed(id, address, reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot scrape the metrics of sidecar {Sidecar} at {Address}: {Reason}")]
    private partial void LogScrapeFailed(string sidecar, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scraping the metrics of sidecar {Sidecar} works again")]
    private partial void LogScrapeRecovered(string sidecar);
}

using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace MeshNet.Proxy.Telemetry.Metrics;

/// <summary>
/// The sidecar's Prometheus metrics (names and labels in <see cref="MetricNames"/>), in a registry of its own so no
/// process-wide default collectors or meter adapters appear. Request series are resolved once per label set and
/// cached, so recording a request allocates nothing; counters kept elsewhere are read at scrape time.
/// </summary>
internal sealed class ProxyMetrics
{
    /// <summary>Prometheus text exposition format 0.0.4.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly string[] RequestLabels =
    [
        MetricNames.Direction, MetricNames.SourceWorkload, MetricNames.SourceNamespace, MetricNames.DestinationService,
        MetricNames.DestinationNamespace, MetricNames.DestinationWorkload, MetricNames.Code, MetricNames.Error, MetricNames.Tls,
    ];

    private static readonly string[] DurationLabels =
    [
        MetricNames.Direction, MetricNames.SourceWorkload, MetricNames.SourceNamespace, MetricNames.DestinationService,
        MetricNames.DestinationNamespace, MetricNames.Tls,
    ];

    private static readonly string[] ConnectionLabels = [MetricNames.Direction, MetricNames.Tls];
    private static readonly string[] ServiceLabels = [MetricNames.DestinationService, MetricNames.DestinationNamespace];

    private readonly ConcurrentDictionary<RequestSeriesKey, RequestSeries> _series = new();
    private readonly Counter _requests;
    private readonly Histogram _duration;

    public ProxyMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        // Exemplars are only exposed in OpenMetrics, which this endpoint does not serve; reading the trace context
        // for them would cost an allocation per request while tracing is on.
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();

        _requests = factory.CreateCounter(MetricNames.Requests, "Requests handled by the sidecar, by hop, response code and error reason.", RequestLabels);
        _duration = factory.CreateHistogram(
            MetricNames.RequestDuration,
            "Time from the request reaching the sidecar to its response completing, in seconds.",
            DurationLabels,
            new HistogramConfiguration { Buckets = MetricNames.DurationBuckets });

        var opened = factory.CreateCounter(MetricNames.TcpOpened, "Connections accepted by the inbound and outbound listeners.", ConnectionLabels);
        var closed = factory.CreateCounter(MetricNames.TcpClosed, "Connections of the inbound and outbound listeners that ended.", ConnectionLabels);
        var received = factory.CreateCounter(MetricNames.TcpReceivedBytes, "Bytes received on listener connections (after TLS).", ConnectionLabels);
        var sent = factory.CreateCounter(MetricNames.TcpSentBytes, "Bytes sent on listener connections (before TLS).", ConnectionLabels);
        Connections = new ConnectionCounters(opened, closed, received, sent);

        Retries = factory.CreateCounter(MetricNames.Retries, "Retries sent, by destination Service.", ServiceLabels);
        RetryBudgetExhausted = factory.CreateCounter(MetricNames.RetryBudgetExhausted, "Retries the retry budget refused.", ServiceLabels);
        CircuitBreakerOverflows = factory.CreateCounter(MetricNames.CircuitBreakerOverflows, "Requests the circuit breaker refused (503 overloaded).", ServiceLabels);
        OutlierEjections = factory.CreateCounter(MetricNames.OutlierEjections, "Endpoints ejected by outlier detection.", ServiceLabels);

        ConfigVersion = factory.CreateGauge(MetricNames.ConfigVersionInfo, "The applied configuration version (always 1).", [MetricNames.Version], new GaugeConfiguration { SuppressInitialValue = true });
        ConfigLastAckAge = factory.CreateGauge(MetricNames.ConfigLastAckAge, "Seconds since the sidecar last accepted (ACKed) a configuration.", new GaugeConfiguration { SuppressInitialValue = true });
        CertificateExpiry = factory.CreateGauge(MetricNames.CertificateExpiry, "Seconds until the sidecar's certificate expires.", new GaugeConfiguration { SuppressInitialValue = true });
        AccessLogDropped = factory.CreateCounter(MetricNames.AccessLogDropped, "Access log lines dropped because the writer fell behind.");
    }

    public CollectorRegistry Registry { get; }

    public ConnectionCounters Connections { get; }

    public Counter Retries { get; }

    public Counter RetryBudgetExhausted { get; }

    public Counter CircuitBreakerOverflows { get; }

    public Counter OutlierEjections { get; }

    public Gauge ConfigVersion { get; }

    public Gauge ConfigLastAckAge { get; }

    public Gauge CertificateExpiry { get; }

    public Counter AccessLogDropped { get; }

    /// <summary>How many request label sets exist (the cardinality tests read it).</summary>
    public int RequestSeriesCount => _series.Count;

    public void RecordRequest(in RequestSeriesKey key, double seconds)
    {
        if (!_series.TryGetValue(key, out var series))
        {
            series = _series.GetOrAdd(key, static (k, self) => self.CreateSeries(k), this);
        }

        series.Record(seconds);
    }

    /// <summary>Writes the exposition to the response (GET /metrics on the admin listener).</summary>
    public async Task WriteAsync(HttpContext context)
    {
        context.Response.ContentType = ContentType;
        await Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private RequestSeries CreateSeries(RequestSeriesKey key)
    {
        var (service, serviceNamespace) = key.Direction == TrafficDirection.Outbound
            ? SplitService(key.DestinationService)
            : (string.Empty, key.DestinationNamespace);
        var direction = MetricNames.Of(key.Direction);
        var tls = MetricNames.Of(key.Tls);
        var requests = _requests.WithLabels(
            direction, key.SourceWorkload, key.SourceNamespace, service, serviceNamespace, key.DestinationWorkload,
            key.Code.ToString(CultureInfo.InvariantCulture), key.Error, tls);
        var duration = _duration.WithLabels(direction, key.SourceWorkload, key.SourceNamespace, service, serviceNamespace, tls);
        return new RequestSeries(requests, duration);
    }

    /// <summary>"namespace/name" into (name, namespace); a value without a namespace keeps it empty.</summary>
    internal static (string Name, string Namespace) SplitService(string service)
    {
        var slash = service.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (service, string.Empty) : (service[(slash + 1)..], service[..slash]);
    }
}

/// <summary>The TCP counters' children, resolved once: two directions, TLS or not.</summary>
internal sealed class ConnectionCounters(Counter opened, Counter closed, Counter received, Counter sent)
{
    private readonly ConnectionSeries[] _series =
    [
        Create(opened, closed, received, sent, TrafficDirection.Inbound, tls: false),
        Create(opened, closed, received, sent, TrafficDirection.Inbound, tls: true),
        Create(opened, closed, received, sent, TrafficDirection.Outbound, tls: false),
        Create(opened, closed, received, sent, TrafficDirection.Outbound, tls: true),
    ];

    public ConnectionSeries For(TrafficDirection direction, bool tls) => _series[((int)direction * 2) + (tls ? 1 : 0)];

    private static ConnectionSeries Create(Counter opened, Counter closed, Counter received, Counter sent, TrafficDirection direction, bool tls)
    {
        string[] labels = [MetricNames.Of(direction), MetricNames.Of(tls)];
        return new ConnectionSeries(opened.WithLabels(labels), closed.WithLabels(labels), received.WithLabels(labels), sent.WithLabels(labels));
    }
}

internal sealed record ConnectionSeries(Counter.Child Opened, Counter.Child Closed, Counter.Child Received, Counter.Child Sent);

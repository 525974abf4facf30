using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Prom = Prometheus;

namespace MeshNet.Bench.Telemetry;

/// <summary>
/// The cost of recording one proxied request (a counter with the nine request labels and a histogram with six) in
/// each candidate metrics library, for a label set that already exists: the sidecar's steady state. Requests cycle
/// over a few label sets (two services, two codes) so the lookups are not a single cached entry.
/// </summary>
[MemoryDiagnoser]
public class RecordRequestBenchmarks
{
    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly string[] RequestLabels =
        ["direction", "source_workload", "source_namespace", "destination_service", "destination_namespace", "destination_workload", "code", "error", "tls"];
    private static readonly string[] DurationLabels =
        ["direction", "source_workload", "source_namespace", "destination_service", "destination_namespace", "tls"];

    private readonly (string Service, int Code)[] _requests = [("posts", 200), ("comments", 200), ("posts", 503), ("comments", 404)];
    private readonly ConcurrentDictionary<SeriesKey, PromSeries> _promSeries = new();
    private readonly ConcurrentDictionary<SeriesKey, DirectSeries> _directSeries = new();
    private readonly string[] _codes = ["200", "404", "503"];

    private Prom.Counter _promRequests = null!;
    private Prom.Histogram _promDuration = null!;
    private Meter _meter = null!;
    private Counter<long> _otelRequests = null!;
    private Histogram<double> _otelDuration = null!;
    private MeterProvider _provider = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var registry = Prom.Metrics.NewCustomRegistry();
        var factory = Prom.Metrics.WithCustomRegistry(registry);
        _promRequests = factory.CreateCounter("meshnet_requests_total", "Requests", RequestLabels);
        _promDuration = factory.CreateHistogram("meshnet_request_duration_seconds", "Duration", DurationLabels, new Prom.HistogramConfiguration { Buckets = Buckets });

        _meter = new Meter("MeshNet.Bench");
        _otelRequests = _meter.CreateCounter<long>("meshnet.requests");
        _otelDuration = _meter.CreateHistogram<double>("meshnet.request.duration", unit: "s");
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter("MeshNet.Bench")
            .AddView("meshnet.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = Buckets })
            .AddPrometheusExporter()
            .Build()!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _provider.Dispose();
        _meter.Dispose();
    }

    [Benchmark(Baseline = true, Description = "direct: cached series, Interlocked counter + buckets")]
    public void Direct()
    {
        var (service, code) = Next();
        var series = _directSeries.GetOrAdd(new SeriesKey(service, code), static _ => new DirectSeries());
        series.Record(0.0042);
    }

    [Benchmark(Description = "prometheus-net 8.2.1: cached children")]
    public void PrometheusNetCached()
    {
        var (service, code) = Next();
        var series = _promSeries.GetOrAdd(new SeriesKey(service, code), static (key, self) => self.CreatePromSeries(key), this);
        series.Requests.Inc();
        series.Duration.Observe(0.0042);
    }

    [Benchmark(Description = "prometheus-net 8.2.1: WithLabels per request")]
    public void PrometheusNetWithLabels()
    {
        var (service, code) = Next();
        _promRequests.WithLabels("outbound", "frontend", "blog", service, "blog", "", _codes[CodeIndex(code)], "", "true").Inc();
        _promDuration.WithLabels("outbound", "frontend", "blog", service, "blog", "true").Observe(0.0042);
    }

    [Benchmark(Description = "OpenTelemetry 1.20.1 + Prometheus exporter: TagList")]
    public void OpenTelemetry()
    {
        var (service, code) = Next();
        var tags = new TagList
        {
            { "direction", "outbound" },
            { "source_workload", "frontend" },
            { "source_namespace", "blog" },
            { "destination_service", service },
            { "destination_namespace", "blog" },
            { "destination_workload", "" },
            { "code", _codes[CodeIndex(code)] },
            { "error", "" },
            { "tls", "true" },
        };
        _otelRequests.Add(1, tags);
        var durationTags = new TagList
        {
            { "direction", "outbound" },
            { "source_workload", "frontend" },
            { "source_namespace", "blog" },
            { "destination_service", service },
            { "destination_namespace", "blog" },
            { "tls", "true" },
        };
        _otelDuration.Record(0.0042, durationTags);
    }

    private (string Service, int Code) Next() => _requests[_next++ & 3];

    private static int CodeIndex(int code) => code switch { 200 => 0, 404 => 1, _ => 2 };

    private PromSeries CreatePromSeries(SeriesKey key) => new(
        _promRequests.WithLabels("outbound", "frontend", "blog", key.Service, "blog", "", _codes[CodeIndex(key.Code)], "", "true"),
        _promDuration.WithLabels("outbound", "frontend", "blog", key.Service, "blog", "true"));

    private readonly record struct SeriesKey(string Service, int Code);

    private sealed record PromSeries(Prom.Counter.Child Requests, Prom.Histogram.Child Duration);

    private sealed class DirectSeries
    {
        private readonly long[] _buckets = new long[Buckets.Length + 1];
        private long _count;
        private long _sumMicros;

        public void Record(double seconds)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _sumMicros, (long)(seconds * 1e6));
            var i = 0;
            while (i < Buckets.Length && seconds > Buckets[i])
            {
                i++;
            }

            Interlocked.Increment(ref _buckets[i]);
        }
    }
}

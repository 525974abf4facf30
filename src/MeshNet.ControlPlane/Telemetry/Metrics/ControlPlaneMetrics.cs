using MeshNet.ControlPlane.Discovery;
using MeshNet.Model;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace MeshNet.ControlPlane.Telemetry.Metrics;

/// <summary>
/// The control plane's Prometheus metrics, in a registry of their own (no process-wide default collectors). Pushes,
/// NACKs and compiles are recorded where they happen; connected sidecars and resources by kind are read from the
/// registry and the published index just before each scrape.
/// </summary>
internal sealed class ControlPlaneMetrics
{
    /// <summary>Prometheus text exposition format 0.0.4.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly string[] ResourceKindNames =
    [
        ResourceKinds.Namespace, ResourceKinds.Service, ResourceKinds.Pod, ResourceKinds.Sidecar, ResourceKinds.EndpointSlice,
        ResourceKinds.TrafficPolicy, ResourceKinds.TrafficRoute, ResourceKinds.AuthorizationPolicy,
    ];

    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Histogram _push;
    private readonly Histogram _compile;
    private readonly Counter _nacks;
    private readonly Gauge _connected;
    private readonly Gauge _resources;

    public ControlPlaneMetrics(ProxyRegistry proxies, ProxySnapshotCache cache)
    {
        ArgumentNullException.ThrowIfNull(proxies);
        ArgumentNullException.ThrowIfNull(cache);
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        _connected = factory.CreateGauge(ControlPlaneMetricNames.ConnectedSidecars, "Sidecars with an open discovery stream.");
        _push = factory.CreateHistogram(
            ControlPlaneMetricNames.PushDuration,
            "Seconds from a mesh change to a sidecar's ACK of the config carrying it: debounce, compile, waiting for an earlier ACK, send and apply.",
            new HistogramConfiguration { Buckets = ControlPlaneMetricNames.PushBuckets });
        _nacks = factory.CreateCounter(ControlPlaneMetricNames.Nacks, "Config versions sidecars rejected, by the kind of resource blamed.", ControlPlaneMetricNames.Reason);
        _compile = factory.CreateHistogram(
            ControlPlaneMetricNames.CompileDuration,
            "Seconds to apply a debounced batch of changes and compile every connected sidecar's config.",
            new HistogramConfiguration { Buckets = ControlPlaneMetricNames.CompileBuckets });
        _resources = factory.CreateGauge(ControlPlaneMetricNames.Resources, "Resources in the mesh, by kind.", ControlPlaneMetricNames.Kind);

        // Every reason from zero, so rate() and increase() see the first NACK instead of a series appearing.
        foreach (var reason in NackReasons.All)
        {
            _nacks.WithLabels(reason);
        }

        _registry.AddBeforeCollectCallback(() =>
        {
            _connected.Set(proxies.Count);
            var snapshot = cache.Index.Snapshot;
            var counts = snapshot.Services.Keys
                .Concat(snapshot.Workloads.Keys)
                .Concat(snapshot.EndpointSets.Keys)
                .Concat(snapshot.Namespaces.Keys)
                .Concat(snapshot.Traffic.Keys)
                .Concat(snapshot.Authorization.Keys)
                .CountBy(k => k.Kind, StringComparer.Ordinal)
                .ToDictionary(StringComparer.Ordinal);
            foreach (var kind in ResourceKindNames)
            {
                _resources.WithLabels(kind).Set(counts.GetValueOrDefault(kind));
            }
        });
    }

    public void RecordPush(TimeSpan changeToAck) => _push.Observe(changeToAck.TotalSeconds);

    public void RecordNack(string? message) => _nacks.WithLabels(NackReasons.Classify(message)).Inc();

    public void RecordCompile(TimeSpan elapsed) => _compile.Observe(elapsed.TotalSeconds);

    /// <summary>GET /metrics on the admin listener.</summary>
    public async Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.ContentType = ContentType;
        await _registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}

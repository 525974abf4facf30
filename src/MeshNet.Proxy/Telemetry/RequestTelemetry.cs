using MeshNet.Protocol.V1;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Forwarding;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Telemetry.AccessLog;
using MeshNet.Proxy.Telemetry.Failures;
using MeshNet.Proxy.Telemetry.Metrics;
using MeshNet.Proxy.Tls;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Telemetry;

/// <summary>
/// The forwarding path's one telemetry hook per request: <see cref="Start"/> when it arrives, <see cref="Complete"/>
/// when its response is done. Labels follow the metrics contract: outbound is this workload calling the routed
/// Service; inbound is the peer (namespace and service account from its SPIFFE ID, empty for plaintext) calling this
/// workload. The access log is written only when the control plane turned it on for this workload. Failures are
/// remembered in the <see cref="FailureRing"/> whether or not metrics are on.
/// </summary>
internal sealed class RequestTelemetry(
    ProxyMetrics metrics,
    AccessLogWriter accessLog,
    FailureRecorder failures,
    ConfigApplier applier,
    ProxyOptions options,
    ICertificateSource certificates,
    TimeProvider time)
{
    private readonly string _namespace = options.Namespace;
    private readonly bool _enabled = options.Metrics;

    /// <summary>The request's start timestamp; with the access log on, also starts counting its body bytes.</summary>
    public long Start(HttpContext context)
    {
        if (_enabled && AccessLogEnabled(applier.Current.Telemetry))
        {
            AccessLogScope.Begin(context);
        }

        return time.GetTimestamp();
    }

    public void Complete(HttpContext context, in RequestOutcome outcome)
    {
        var response = context.Response;
        // Kestrel's 200 default means nothing when the client went away before any response was produced.
        var code = response.HasStarted || !context.RequestAborted.IsCancellationRequested ? response.StatusCode : 0;
        var errorHeader = response.Headers[MeshHeaders.Error];
        if (FailureRecorder.IsFailure(code, errorHeader.Count > 0))
        {
            failures.Record(context, outcome, code, ErrorLabels.Normalize(errorHeader));
        }

        if (!_enabled)
        {
            return;
        }

        var seconds = time.GetElapsedTime(outcome.StartTimestamp).TotalSeconds;
        var error = ErrorLabels.Normalize(errorHeader);
        var settings = applier.Current.Telemetry;
        var workload = settings?.Workload ?? string.Empty;

        RequestSeriesKey key;
        if (outcome.Direction == TrafficDirection.Outbound)
        {
            // The connector speaks mTLS exactly when the endpoint has an identity and this sidecar has certificates.
            var tls = certificates.Enabled && outcome.Destination is { Identity.Length: > 0 };
            key = new RequestSeriesKey(TrafficDirection.Outbound, workload, _namespace, outcome.DestinationService, string.Empty, string.Empty, code, error, tls);
        }
        else
        {
            var peer = MeshPeer.From(context)?.Identity;
            key = new RequestSeriesKey(
                TrafficDirection.Inbound, peer?.ServiceAccount ?? string.Empty, peer?.Namespace ?? string.Empty, string.Empty, _namespace, workload, code, error, peer is not null);
        }

        metrics.RecordRequest(key, seconds);
        if (AccessLogEnabled(settings))
        {
            accessLog.Write(context, outcome, key, seconds, certificates.Current?.Id.ToString());
        }
    }

    private static bool AccessLogEnabled(Protocol.V1.Telemetry? settings) => settings is { AccessLog: AccessLogFormat.AccessLogJson };
}

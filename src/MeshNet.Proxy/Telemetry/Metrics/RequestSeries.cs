using Prometheus;

namespace MeshNet.Proxy.Telemetry.Metrics;

/// <summary>
/// One label set of <c>meshnet_requests_total</c> and the <c>meshnet_request_duration_seconds</c> series it shares
/// with the other codes and errors of the same hop. Resolved once, then a request costs two atomic updates.
/// </summary>
internal sealed class RequestSeries(Counter.Child requests, Histogram.Child duration)
{
    public void Record(double seconds)
    {
        requests.Inc();
        duration.Observe(seconds);
    }
}

/// <summary>
/// The labels of one request series, as the request path has them: strings it already holds (config, constants,
/// the peer's identity), the status as a number. Lookups must not allocate, so nothing is formatted or split here.
/// </summary>
/// <param name="DestinationService">Outbound: "namespace/name", "" without a route; inbound: "".</param>
internal readonly record struct RequestSeriesKey(
    TrafficDirection Direction,
    string SourceWorkload,
    string SourceNamespace,
    string DestinationService,
    string DestinationNamespace,
    string DestinationWorkload,
    int Code,
    string Error,
    bool Tls)
{
    public bool Equals(RequestSeriesKey other) =>
        Direction == other.Direction && Code == other.Code && Tls == other.Tls
        && string.Equals(DestinationService, other.DestinationService, StringComparison.Ordinal)
        && string.Equals(Error, other.Error, StringComparison.Ordinal)
        && string.Equals(SourceWorkload, other.SourceWorkload, StringComparison.Ordinal)
        && string.Equals(SourceNamespace, other.SourceNamespace, StringComparison.Ordinal)
        && string.Equals(DestinationNamespace, other.DestinationNamespace, StringComparison.Ordinal)
        && string.Equals(DestinationWorkload, other.DestinationWorkload, StringComparison.Ordinal);

    /// <remarks>
    /// Cheap on purpose: lengths and the service's last character rather than full string hashes. The sets are
    /// small (services x codes x peers), so the rare collision costs one extra ordinal compare.
    /// </remarks>
    public override int GetHashCode() => HashCode.Combine(
        Direction,
        Code,
        Tls,
        DestinationService.Length == 0 ? 0 : DestinationService[^1] | (DestinationService.Length << 16),
        Error.Length,
        SourceWorkload.Length | (SourceNamespace.Length << 16),
        DestinationWorkload.Length | (DestinationNamespace.Length << 16));
}

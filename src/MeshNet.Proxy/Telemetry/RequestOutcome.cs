using MeshNet.Proxy.Configuration;

namespace MeshNet.Proxy.Telemetry;

internal enum TrafficDirection
{
    Inbound,
    Outbound,
}

/// <summary>
/// What the forwarding path knows about one request when it completes, handed once to <see cref="RequestTelemetry"/>
/// (metrics, access log; tracing may read the same). The status and the x-meshnet-error reason are read from the
/// response, so every early refusal is covered without passing them around.
/// </summary>
/// <param name="StartTimestamp">From <see cref="RequestTelemetry.Start"/> (a <see cref="TimeProvider"/> timestamp).</param>
/// <param name="DestinationService">Outbound: the routed Service as "namespace/name", "" when no route matched.</param>
/// <param name="Destination">Outbound: the endpoint of the last attempt; null when none was picked.</param>
/// <param name="Attempts">Outbound: attempts sent (first try plus retries); 0 when none was sent.</param>
internal readonly record struct RequestOutcome(
    TrafficDirection Direction,
    long StartTimestamp,
    string DestinationService,
    OutboundDestination? Destination = null,
    int Attempts = 0);

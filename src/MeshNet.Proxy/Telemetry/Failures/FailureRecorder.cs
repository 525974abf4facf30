using MeshNet.Proxy.Authorization;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Telemetry.Failures;

/// <summary>
/// Turns a failed request into a <see cref="FailedRequest"/> in the ring. Called by <see cref="RequestTelemetry"/>
/// for failures only (5xx, status 0, or an <c>x-meshnet-error</c> response), whether or not metrics are on.
/// </summary>
internal sealed class FailureRecorder(FailureRing ring, TimeProvider time)
{
    // Caps for stored fields: enough to recognise a request, small enough that 1,000 entries stay about 1 MiB.
    private const int MaxMethod = 16;
    private const int MaxAuthority = 255;
    private const int MaxPath = 256;
    private const int MaxPeer = 256;
    private const int MaxDetail = 256;

    public FailureRing Ring => ring;

    /// <summary>True for the outcomes worth remembering; a success costs this check only.</summary>
    public static bool IsFailure(int status, bool hasMeshError) => status is 0 or >= 500 || hasMeshError;

    public void Record(HttpContext context, in RequestOutcome outcome, int status, string error)
    {
        var request = context.Request;
        var response = context.Response;
        // The request's own id first; else the id on the response, which this sidecar or a sidecar further on stamped.
        var requestId = RequestIds.IdOf(request.Headers[RequestIds.Header]) ?? RequestIds.IdOf(response.Headers[RequestIds.Header]);
        var inbound = outcome.Direction == TrafficDirection.Inbound;
        var elapsed = time.GetElapsedTime(outcome.StartTimestamp);
        ring.Add(new FailedRequest(
            time.GetUtcNow() - elapsed,
            outcome.Direction,
            RequestIds.Printable(request.Method, MaxMethod),
            RequestIds.Printable(request.Host.Value, MaxAuthority),
            RequestIds.Printable(request.Path.Value, MaxPath),
            status,
            error,
            RequestIds.Printable(outcome.DestinationService, MaxAuthority),
            outcome.Destination?.Id ?? string.Empty,
            outcome.Attempts,
            RequestIds.TraceIdOf(context),
            requestId,
            inbound ? RequestIds.Printable(PeerIdentity.Of(context), MaxPeer) : string.Empty,
            RequestIds.Printable(context.Features.Get<FailureDetail>()?.Text, MaxDetail),
            Math.Round(elapsed.TotalMilliseconds, 3)));
    }
}

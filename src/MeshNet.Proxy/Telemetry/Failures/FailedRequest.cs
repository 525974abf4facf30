using System.Text.Json.Serialization;

namespace MeshNet.Proxy.Telemetry.Failures;

/// <summary>
/// One failed request as this sidecar saw it, kept in the <see cref="FailureRing"/> so that an operator holding its
/// x-request-id or trace id can ask what happened. Every string came from a request and went through
/// <see cref="RequestIds.Printable"/>: capped and free of control characters. Serialized as is by the admin GET /failures.
/// </summary>
/// <param name="At">When the request arrived at this sidecar.</param>
/// <param name="Direction">"outbound" (this workload calling a Service) or "inbound" (a peer calling this workload).</param>
/// <param name="Authority">The Host as the client sent it (host[:port]).</param>
/// <param name="Path">The path without its query string.</param>
/// <param name="Status">The status the client got; 0 when the client went away before any response.</param>
/// <param name="Error">The x-meshnet-error reason, normalized to MeshNet's own set ("other" for foreign values), "" for none.</param>
/// <param name="Service">Outbound: the routed Service "namespace/name", "" when no route matched.</param>
/// <param name="Endpoint">Outbound: "address:port" of the last attempt, "" when none was picked.</param>
/// <param name="Attempts">Outbound: attempts sent, first try plus retries.</param>
/// <param name="Peer">Inbound: the caller's SPIFFE ID, "" for a plaintext caller.</param>
/// <param name="Detail">What the sidecar knew about the refusal (the denying policy, the breaker's load), or "".</param>
internal sealed record FailedRequest(
    DateTimeOffset At,
    [property: JsonIgnore] TrafficDirection Direction,
    string Method,
    string Authority,
    string Path,
    int Status,
    string Error,
    string Service,
    string Endpoint,
    int Attempts,
    string? TraceId,
    string? RequestId,
    string Peer,
    string Detail,
    double DurationMs)
{
    [JsonPropertyName("direction")]
    [JsonPropertyOrder(-1)]
    public string DirectionName => Direction == TrafficDirection.Outbound ? "outbound" : "inbound";

    /// <summary>"namespace/name" of the endpoint's workload, filled in from the applied config when the entry is read.</summary>
    public string EndpointWorkload { get; init; } = string.Empty;

    /// <summary>True when <paramref name="id"/> (already checked printable) is this entry's request id or trace id.</summary>
    public bool Matches(string id) =>
        string.Equals(RequestId, id, StringComparison.Ordinal)
        || (TraceId is not null && RequestIds.SameTraceId(TraceId, id));
}

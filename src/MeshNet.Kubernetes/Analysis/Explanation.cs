using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>What `meshctl explain` prints: the outcome in one line, then each decision on the way with its source.</summary>
/// <param name="Summary">"503 overloaded: TrafficPolicy blog/posts circuitBreaker.maxRequests=10".</param>
public sealed record Explanation(string Summary, ImmutableArray<ExplanationStep> Steps)
{
    /// <summary>By id only: what the sidecars recorded about the request, outbound first.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ObservedRequest>? Requests { get; init; }

    /// <summary>By id only: sidecars that were asked and did not answer, so their part of the story is missing.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SidecarSilence>? Unanswered { get; init; }
}

/// <param name="Stage">request, service, port, route, policy, endpoints, authorization, sidecars.</param>
/// <param name="Source">"Kind ns/name" of the config object that decided, or null when a default did.</param>
public sealed record ExplanationStep(string Stage, string? Source, string Detail);

/// <summary>A request to explain: by the sidecar's error and the Service, or by the caller and the URL.</summary>
/// <param name="Service">NAME, NAME.NS or a longer host name.</param>
/// <param name="Source">NS/WORKLOAD of the caller.</param>
public sealed record ExplainRequest(string? Error, string? Service, string? Source, string? Url, string Method = "GET");

/// <summary>One failed request as a sidecar remembered it (its admin GET /failures entry), with the sidecar's name.</summary>
/// <param name="Sidecar">"namespace/name" of the sidecar that recorded it.</param>
/// <param name="Direction">"outbound" (the caller's sidecar) or "inbound" (the callee's).</param>
/// <param name="Authority">host[:port] as the client sent it.</param>
/// <param name="Path">Without the query string.</param>
/// <param name="Status">0 when the client went away before any response.</param>
/// <param name="Error">The x-meshnet-error reason, "" for a failure the app answered.</param>
/// <param name="Service">Outbound: the routed Service "namespace/name", "" when none matched.</param>
/// <param name="Endpoint">Outbound: "address:port" of the last attempt.</param>
/// <param name="EndpointWorkload">Outbound: "namespace/name" of that endpoint's workload when known.</param>
/// <param name="Peer">Inbound: the caller's SPIFFE ID, "" for plaintext.</param>
/// <param name="Detail">What the sidecar knew: the denying policy, the breaker's load, the failed endpoint.</param>
public sealed record ObservedRequest(
    string Sidecar,
    string Direction,
    DateTimeOffset At,
    string Method,
    string Authority,
    string Path,
    int Status,
    string Error,
    string Service,
    string Endpoint,
    string EndpointWorkload,
    int Attempts,
    string? TraceId,
    string? RequestId,
    string Peer,
    string Detail);

/// <param name="Sidecar">"namespace/name".</param>
/// <param name="Reason">Why its part is missing: no admin address, a timeout, an HTTP error.</param>
public sealed record SidecarSilence(string Sidecar, string Reason);

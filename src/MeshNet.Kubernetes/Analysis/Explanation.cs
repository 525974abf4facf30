using System.Collections.Immutable;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>What `meshctl explain` prints: the outcome in one line, then each decision on the way with its source.</summary>
/// <param name="Summary">"503 overloaded: TrafficPolicy blog/posts circuitBreaker.maxRequests=10".</param>
public sealed record Explanation(string Summary, ImmutableArray<ExplanationStep> Steps);

/// <param name="Stage">service, port, route, policy, endpoints, authorization.</param>
/// <param name="Source">"Kind ns/name" of the config object that decided, or null when a default did.</param>
public sealed record ExplanationStep(string Stage, string? Source, string Detail);

/// <summary>A request to explain: by the sidecar's error and the Service, or by the caller and the URL.</summary>
/// <param name="Service">NAME, NAME.NS or a longer host name.</param>
/// <param name="Source">NS/WORKLOAD of the caller.</param>
public sealed record ExplainRequest(string? Error, string? Service, string? Source, string? Url, string Method = "GET");

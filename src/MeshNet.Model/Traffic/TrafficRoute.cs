using System.Collections.Immutable;

namespace MeshNet.Model.Traffic;

/// <summary>
/// meshnet.io/v1alpha1 TrafficRoute: where requests for a Service go. Rules are tried in order, first match wins;
/// a rule without matches matches everything. Structurally valid when it reaches the model (regexes compile,
/// weights not all zero); whether its target and subsets exist is the control plane's question.
/// </summary>
public sealed record TrafficRoute(
    string Namespace,
    string Name,
    PolicyTarget Target,
    ImmutableArray<RouteRule> Rules)
    : MeshResource(new ResourceKey(ResourceKinds.TrafficRoute, Namespace, Name));

/// <param name="Matches">ORed; empty matches every request.</param>
public sealed record RouteRule(ImmutableArray<RouteMatch> Matches, ImmutableArray<RouteBackend> Backends);

/// <summary>Every condition that is set must hold.</summary>
/// <param name="Method">Upper case, or null for any.</param>
public sealed record RouteMatch(PathMatch? Path, ImmutableArray<HeaderMatch> Headers, string? Method);

public enum PathMatchType
{
    PathPrefix,
    Exact,
    RegularExpression,
}

public sealed record PathMatch(PathMatchType Type, string Value);

public enum HeaderMatchType
{
    Exact,
    RegularExpression,
}

public sealed record HeaderMatch(string Name, string Value, HeaderMatchType Type);

/// <summary>
/// One weighted destination: a subset of the target Service's endpoints (by labels), or another Service in the
/// route's namespace (Service, optional Port; the target port when null).
/// </summary>
public sealed record RouteBackend(ImmutableSortedDictionary<string, string>? Subset, string? Service, int? Port, int Weight);

using System.Collections.Immutable;
using MeshNet.Kubernetes.Crds;
using MeshNet.Model.Traffic;

namespace MeshNet.Kubernetes.Conversion;

/// <summary>TrafficRoute (validated) to the mesh model, with the CRD's field defaults applied.</summary>
public static class TrafficRouteConverter
{
    public static TrafficRoute ToTrafficRoute(V1alpha1TrafficRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var spec = route.Spec ?? throw new ArgumentException("TrafficRoute without spec", nameof(route));
        return new TrafficRoute(
            ConversionHelpers.NamespaceOf(route.Metadata),
            route.Metadata?.Name ?? string.Empty,
            TrafficPolicyConverter.ToTarget(spec.TargetRef),
            [.. (spec.Rules ?? []).Select(ToRule)]);
    }

    private static RouteRule ToRule(RouteRuleSpec rule) =>
        new([.. (rule.Matches ?? []).Select(ToMatch)], [.. (rule.Backends ?? []).Select(ToBackend)]);

    private static RouteMatch ToMatch(RouteMatchSpec match) =>
        new(
            match.Path is { Value: { } value } path
                ? new PathMatch(path.Type is { } type ? Enum.Parse<PathMatchType>(type) : TrafficDefaults.PathType, value)
                : null,
            [.. (match.Headers ?? []).Select(ToHeader)],
            match.Method);

    // Field names are case-insensitive (RFC 9110); one spelling keeps the model's equality meaningful.
    private static HeaderMatch ToHeader(HeaderMatchSpec header) =>
        new(
            (header.Name ?? string.Empty).ToLowerInvariant(),
            header.Value ?? string.Empty,
            header.Type is { } type ? Enum.Parse<HeaderMatchType>(type) : TrafficDefaults.HeaderType);

    private static RouteBackend ToBackend(RouteBackendSpec backend) =>
        new(
            backend.Subset is { } subset ? subset.ToImmutableSortedDictionary(StringComparer.Ordinal) : null,
            backend.Service,
            backend.Port,
            backend.Weight ?? TrafficDefaults.BackendWeight);
}

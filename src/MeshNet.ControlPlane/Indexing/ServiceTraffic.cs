using System.Collections.Immutable;
using MeshNet.Model;
using MeshNet.Model.Traffic;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>
/// The TrafficPolicies and TrafficRoutes in force for one Service: at most one whole-Service and one per port of
/// each kind (conflicts are settled before). An instance is replaced only when its content changed, so the compiler
/// can tell by reference whether the Service's clusters and virtual hosts need a rebuild.
/// </summary>
/// <param name="Policies">Winners, the whole-Service one (port null) first, then by port.</param>
/// <param name="Routes">Winners, ordered the same way.</param>
/// <param name="MissingBackends">
/// "name:port" of backend Services that the routes in force name but that do not exist (or lack the port) right now:
/// a last accepted route may outlive its backend, and a weighted cluster that does not exist would make every
/// sidecar refuse the whole config.
/// </param>
internal sealed record ServiceTraffic(
    ImmutableArray<TrafficPolicy> Policies,
    ImmutableArray<TrafficRoute> Routes,
    ImmutableArray<string> MissingBackends)
{
    public static ServiceTraffic None { get; } = new([], [], []);

    public bool IsEmpty => Policies.IsEmpty && Routes.IsEmpty;

    /// <summary>The policy shaping <paramref name="port"/>: a port-specific one beats the whole-Service one.</summary>
    public TrafficPolicy? PolicyFor(int port) => ForPort(Policies, port, static p => p.Target);

    public TrafficRoute? RouteFor(int port) => ForPort(Routes, port, static r => r.Target);

    public bool IsMissing(string service, int port) =>
        !MissingBackends.IsEmpty && MissingBackends.Contains(BackendName(service, port), StringComparer.Ordinal);

    public static string BackendName(string service, int port) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{service}:{port}");

    /// <summary>Same resources in force (by instance) and the same missing backends.</summary>
    public bool SameAs(ServiceTraffic other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Policies.SequenceEqual<TrafficPolicy, TrafficPolicy>(other.Policies, ReferenceEqualityComparer.Instance) &&
            Routes.SequenceEqual<TrafficRoute, TrafficRoute>(other.Routes, ReferenceEqualityComparer.Instance) &&
            MissingBackends.SequenceEqual(other.MissingBackends, StringComparer.Ordinal);
    }

    /// <summary>The distinct subsets the route in force for <paramref name="port"/> sends to, in cluster-name order.</summary>
    public ImmutableArray<ImmutableSortedDictionary<string, string>> SubsetsFor(int port)
    {
        if (RouteFor(port) is not { } route)
        {
            return [];
        }

        var subsets = new SortedDictionary<string, ImmutableSortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var backend in ReachableRules(route).SelectMany(r => r.Backends.IsDefault ? [] : r.Backends))
        {
            if (backend is { Service: null, Subset: { Count: > 0 } subset })
            {
                subsets.TryAdd(SubsetName(subset), subset);
            }
        }

        return [.. subsets.Values];
    }

    /// <summary>The rules up to and including the first that matches every request: later ones can never match.</summary>
    public static IEnumerable<RouteRule> ReachableRules(TrafficRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        foreach (var rule in route.Rules.IsDefault ? [] : route.Rules)
        {
            yield return rule;
            if (rule.Matches.IsDefaultOrEmpty)
            {
                yield break;
            }
        }
    }

    /// <summary>Every backend of every rule (tolerating unset arrays).</summary>
    public static IEnumerable<RouteBackend> BackendsOf(TrafficRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.Rules.IsDefault ? [] : route.Rules.Where(r => !r.Backends.IsDefault).SelectMany(r => r.Backends);
    }

    /// <summary>"k=v,k=v" in key order: the subset part of a cluster name.</summary>
    public static string SubsetName(ImmutableSortedDictionary<string, string> subset)
    {
        ArgumentNullException.ThrowIfNull(subset);
        return string.Join(',', subset.Select(p => $"{p.Key}={p.Value}"));
    }

    private static T? ForPort<T>(ImmutableArray<T> items, int port, Func<T, PolicyTarget> target)
        where T : MeshResource
    {
        T? wholeService = null;
        foreach (var item in items)
        {
            var scope = target(item).Port;
            if (scope == port)
            {
                return item;
            }

            if (scope is null)
            {
                wholeService = item;
            }
        }

        return wholeService;
    }
}

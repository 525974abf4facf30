using System.Collections.Frozen;
using System.Globalization;
using MeshNet.Proxy.Balancing;
using MeshNet.Proxy.Forwarding;
using MeshNet.Proxy.Resilience;
using Yarp.ReverseProxy.Model;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Configuration;

/// <summary>Precomputes the request-path lookups for a snapshot YARP has applied.</summary>
internal static class RouteTableBuilder
{
    /// <param name="clusterState">YARP's state for a cluster id, or null when YARP does not know it.</param>
    /// <param name="balancing">Statistics that outlive tables: reused for the same (cluster, destination).</param>
    /// <param name="regexes">Compiled route regexes kept across builds.</param>
    public static RouteTable Build(ProxySnapshot snapshot, Func<string, ClusterState?> clusterState, ResilienceRegistry resilience, BalancingRegistry balancing, RouteRegexCache regexes)
    {
        var transformers = new Dictionary<uint, OutboundTransformer>();
        var clusters = new Dictionary<string, ClusterEntry>(StringComparer.Ordinal);
        foreach (var cluster in snapshot.Clusters.Values)
        {
            var state = clusterState(cluster.Name)
                ?? throw new InvalidOperationException($"YARP has no state for cluster \"{cluster.Name}\"");
            clusters[cluster.Name] = BuildCluster(cluster, state, resilience.For(cluster), balancing.For(cluster.Name), transformers);
        }

        balancing.Retain(clusters.Keys.ToHashSet(StringComparer.Ordinal));

        var hosts = new Dictionary<string, VirtualHostEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var virtualHost in snapshot.VirtualHosts.Values)
        {
            var routes = virtualHost.Routes.Select(r => new RouteEntry(
                    r.Name,
                    Matches(r, regexes),
                    r.Clusters.Select(c => clusters[c.Cluster]).ToArray(),
                    CumulativeWeights(r.Clusters.Select(c => (int)Math.Min(c.Weight, int.MaxValue / 1024)))))
                .ToArray();
            var entry = new VirtualHostEntry(virtualHost.Name, virtualHost.Service, routes);
            foreach (var key in virtualHost.Domains.SelectMany(HostKeys.LookupKeys))
            {
                // The validator guarantees no domain is claimed twice, so TryAdd only skips duplicate spellings.
                hosts.TryAdd(key, entry);
            }
        }

        regexes.Commit();
        return new RouteTable(snapshot.Version, hosts.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
    }

    private static ClusterEntry BuildCluster(Proto.Cluster cluster, ClusterState state, ClusterResilience resilience, ClusterBalancing balancing, Dictionary<uint, OutboundTransformer> transformers)
    {
        var ids = cluster.Endpoints.Select(YarpClusterTranslator.DestinationId).ToArray();
        var destinations = cluster.Endpoints
            .Select((e, i) => new OutboundDestination(
                ids[i],
                e.Address,
                HostKeys.DestinationPrefix(e.Address, e.Port),
                e.Meshed ? TransformerFor(transformers, e.TargetPort) : OutboundTransformer.Unmeshed,
                balancing.StatsFor(ids[i]),
                e.Identity))
            .ToArray();
        balancing.Retain(ids.ToHashSet(StringComparer.Ordinal));

        var balancer = LoadBalancerFactory.Create(cluster.LoadBalancer, balancing, ids);
        var affinity = balancing.AffinityFor(cluster.SessionAffinity is { } sticky ? AffinityTimeout(sticky) : null);
        return new ClusterEntry(cluster.Name, state, destinations, resilience, balancer, affinity);
    }

    /// <summary>The validator refuses negative timeouts; an unset one is Kubernetes' default, 10800 s.</summary>
    private static TimeSpan AffinityTimeout(Proto.SessionAffinity affinity) =>
        affinity.Timeout is { } timeout && timeout.ToTimeSpan() > TimeSpan.Zero ? timeout.ToTimeSpan() : TimeSpan.FromSeconds(10800);

    /// <summary>The route's match and more_matches, ORed; none (a catch-all route) when any of them is empty.</summary>
    private static RequestMatch[] Matches(Proto.Route route, RouteRegexCache regexes)
    {
        if (route.Match is null)
        {
            return [];
        }

        var matches = new List<RequestMatch>(1 + route.MoreMatches.Count);
        foreach (var match in route.MoreMatches.Prepend(route.Match))
        {
            var built = Build(match, regexes);
            if (built is null)
            {
                return [];
            }

            matches.Add(built);
        }

        return [.. matches];
    }

    /// <summary>Null for a match with no conditions at all (it takes every request).</summary>
    private static RequestMatch? Build(Proto.RouteMatch match, RouteRegexCache regexes)
    {
        var path = match.Path is { } p
            ? p.Type switch
            {
                Proto.PathMatch.Types.Type.Exact => PathMatcher.Exact(p.Value),
                Proto.PathMatch.Types.Type.Regex => PathMatcher.Pattern(regexes.Get(p.Value)),
                _ => PathMatcher.Prefix(p.Value),
            }
            : PathMatcher.Prefix(match.PathPrefix);
        var headers = match.Headers
            .Select(h => h.Type == Proto.HeaderMatch.Types.Type.Regex
                ? new HeaderMatcher(h.Name, null, regexes.Get(h.Value))
                : new HeaderMatcher(h.Name, h.Value, null))
            .ToArray();
        var method = match.Method.Length == 0 ? null : match.Method;
        return path is null && headers.Length == 0 && method is null ? null : new RequestMatch(path, headers, method);
    }

    private static OutboundTransformer TransformerFor(Dictionary<uint, OutboundTransformer> cache, uint targetPort)
    {
        if (!cache.TryGetValue(targetPort, out var transformer))
        {
            transformer = new OutboundTransformer(targetPort.ToString(CultureInfo.InvariantCulture));
            cache[targetPort] = transformer;
        }

        return transformer;
    }

    private static int[] CumulativeWeights(IEnumerable<int> weights)
    {
        var total = 0;
        return weights.Select(w => total += w).ToArray();
    }
}

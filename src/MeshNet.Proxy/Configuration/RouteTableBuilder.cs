using System.Collections.Frozen;
using System.Globalization;
using MeshNet.Proxy.Forwarding;
using MeshNet.Proxy.Resilience;
using Yarp.ReverseProxy.Model;

namespace MeshNet.Proxy.Configuration;

/// <summary>Precomputes the request-path lookups for a snapshot YARP has applied.</summary>
internal static class RouteTableBuilder
{
    /// <param name="clusterState">YARP's state for a cluster id, or null when YARP does not know it.</param>
    public static RouteTable Build(ProxySnapshot snapshot, Func<string, ClusterState?> clusterState, ResilienceRegistry resilience)
    {
        var transformers = new Dictionary<uint, OutboundTransformer>();
        var clusters = new Dictionary<string, ClusterEntry>(StringComparer.Ordinal);
        foreach (var cluster in snapshot.Clusters.Values)
        {
            var state = clusterState(cluster.Name)
                ?? throw new InvalidOperationException($"YARP has no state for cluster \"{cluster.Name}\"");
            var destinations = cluster.Endpoints
                .Select(e => new OutboundDestination(
                    YarpClusterTranslator.DestinationId(e),
                    e.Address,
                    HostKeys.DestinationPrefix(e.Address, e.Port),
                    e.Meshed ? TransformerFor(transformers, e.TargetPort) : OutboundTransformer.Unmeshed))
                .ToArray();
            clusters[cluster.Name] = new ClusterEntry(cluster.Name, state, destinations, resilience.For(cluster));
        }

        var hosts = new Dictionary<string, VirtualHostEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var virtualHost in snapshot.VirtualHosts.Values)
        {
            var routes = virtualHost.Routes.Select(r => new RouteEntry(
                    r.Name,
                    r.Match?.PathPrefix ?? string.Empty,
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

        return new RouteTable(snapshot.Version, hosts.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
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

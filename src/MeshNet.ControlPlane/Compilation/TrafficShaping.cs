using System.Collections.Immutable;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Model.Traffic;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>Which clusters a TrafficPolicy or TrafficRoute in force shapes, by the same naming the compiler uses; for diagnostics.</summary>
internal static class TrafficShaping
{
    /// <summary>
    /// A policy shapes its target's port clusters (and their subset clusters) on the ports where it is the one in
    /// force; a route shapes the clusters its rules send to. Empty for a resource with no version in force.
    /// </summary>
    public static ImmutableArray<string> ClustersShapedBy(MeshIndex index, ResourceKey key, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(key);
        if (!index.Traffic.Accepted.TryGetValue(key, out var resource))
        {
            return [];
        }

        var target = resource is TrafficPolicy policy ? policy.Target : ((TrafficRoute)resource).Target;
        var serviceKey = TrafficValidator.TargetKey(resource, target);
        if (!index.Snapshot.Services.TryGetValue(serviceKey, out var service) || service.Type == ServiceType.ExternalName)
        {
            return [];
        }

        var traffic = index.Traffic.For(serviceKey);
        var fqdn = MeshNames.ServiceFqdn(service.Namespace, service.Name, clusterDomain);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var port in service.Ports.Select(p => p.Port))
        {
            if (ReferenceEquals(traffic.PolicyFor(port), resource))
            {
                names.Add(MeshNames.OutboundClusterName(fqdn, port));
                names.UnionWith(traffic.SubsetsFor(port).Select(s => ClusterCompiler.SubsetClusterName(fqdn, port, s)));
            }

            if (resource is TrafficRoute route && ReferenceEquals(traffic.RouteFor(port), route))
            {
                foreach (var rule in ServiceTraffic.ReachableRules(route))
                {
                    names.UnionWith(RouteCompiler.Backends(route, rule, port, fqdn, traffic, clusterDomain).Select(c => c.Cluster));
                }
            }
        }

        return [.. names];
    }
}

using System.Globalization;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Model.Traffic;
using ProtoHeaderMatch = MeshNet.Protocol.V1.HeaderMatch;
using ProtoPathMatch = MeshNet.Protocol.V1.PathMatch;
using ProtoRoute = MeshNet.Protocol.V1.Route;
using ProtoRouteMatch = MeshNet.Protocol.V1.RouteMatch;
using WeightedCluster = MeshNet.Protocol.V1.WeightedCluster;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// The routes of one Service port's virtual host. Without a TrafficRoute: one catch-all route to the port's cluster.
/// With one: a route per rule, in order (first match wins), named "rule-N" and carrying the TrafficRoute as its
/// source; then, unless some rule matches everything, the catch-all route, so requests no rule matches still reach
/// the Service as they would without the TrafficRoute. Rules after a catch-all rule could never match and are left out.
/// </summary>
internal static class RouteCompiler
{
    public static IEnumerable<ProtoRoute> Compile(MeshService service, int port, ServiceTraffic traffic, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(traffic);
        var fqdn = MeshNames.ServiceFqdn(service.Namespace, service.Name, clusterDomain);
        var defaultCluster = MeshNames.OutboundClusterName(fqdn, port);
        if (traffic.RouteFor(port) is { } route)
        {
            var source = MeshNames.NamespacedName(route.Namespace, route.Name);
            var rules = ServiceTraffic.ReachableRules(route).ToList();
            for (var i = 0; i < rules.Count; i++)
            {
                var clusters = Backends(route, rules[i], port, fqdn, traffic, clusterDomain);
                if (clusters.Sum(c => (long)c.Weight) == 0)
                {
                    // Every backend is gone (a last accepted route outliving a backend Service): the rule cannot send anywhere.
                    continue;
                }

                var result = new ProtoRoute { Name = string.Create(CultureInfo.InvariantCulture, $"rule-{i}"), Source = source };
                result.Clusters.AddRange(clusters);
                var matches = rules[i].Matches.IsDefault ? [] : rules[i].Matches;
                result.Match = matches.IsEmpty ? new ProtoRouteMatch() : ToProto(matches[0]);
                result.MoreMatches.AddRange(matches.Skip(1).Select(ToProto));
                yield return result;
                if (matches.IsEmpty)
                {
                    yield break;
                }
            }
        }

        yield return new ProtoRoute
        {
            Name = VirtualHostCompiler.DefaultRouteName,
            Match = new ProtoRouteMatch(),
            Clusters = { new WeightedCluster { Cluster = defaultCluster, Weight = 100 } },
        };
    }

    /// <summary>
    /// A rule's weighted clusters for one port: a subset of the target Service, another Service's port (the given
    /// one, else the same number), or, with neither, the target Service port itself. Backends naming the same cluster
    /// are merged by adding their weights; missing backend Services are left out.
    /// </summary>
    public static List<WeightedCluster> Backends(
        TrafficRoute route, RouteRule rule, int port, string fqdn, ServiceTraffic traffic, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(traffic);
        var result = new List<WeightedCluster>();
        foreach (var backend in rule.Backends.IsDefault ? [] : rule.Backends)
        {
            string name;
            if (backend.Service is { } other)
            {
                var otherPort = backend.Port ?? port;
                if (traffic.IsMissing(other, otherPort))
                {
                    continue;
                }

                name = MeshNames.OutboundClusterName(MeshNames.ServiceFqdn(route.Namespace, other, clusterDomain), otherPort);
            }
            else
            {
                name = backend.Subset is { Count: > 0 } subset
                    ? ClusterCompiler.SubsetClusterName(fqdn, port, subset)
                    : MeshNames.OutboundClusterName(fqdn, port);
            }

            var weight = (uint)Math.Max(0, backend.Weight);
            if (result.Find(c => string.Equals(c.Cluster, name, StringComparison.Ordinal)) is { } same)
            {
                same.Weight += weight;
            }
            else
            {
                result.Add(new WeightedCluster { Cluster = name, Weight = weight });
            }
        }

        return result;
    }

    private static ProtoRouteMatch ToProto(RouteMatch match)
    {
        var result = new ProtoRouteMatch { Method = match.Method ?? string.Empty };
        if (match.Path is { } path)
        {
            result.Path = new ProtoPathMatch
            {
                Type = path.Type switch
                {
                    PathMatchType.Exact => ProtoPathMatch.Types.Type.Exact,
                    PathMatchType.RegularExpression => ProtoPathMatch.Types.Type.Regex,
                    _ => ProtoPathMatch.Types.Type.Prefix,
                },
                Value = path.Value,
            };
        }

        foreach (var header in match.Headers.IsDefault ? [] : match.Headers)
        {
            result.Headers.Add(new ProtoHeaderMatch
            {
                Name = header.Name,
                Value = header.Value,
                Type = header.Type == HeaderMatchType.RegularExpression ? ProtoHeaderMatch.Types.Type.Regex : ProtoHeaderMatch.Types.Type.Exact,
            });
        }

        return result;
    }
}

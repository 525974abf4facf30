using System.Collections.Immutable;
using System.Globalization;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Model.Traffic;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// One <see cref="Cluster"/> per Service port, holding the endpoints that take traffic, plus one per subset a
/// TrafficRoute in force sends that port's requests to. Every cluster carries the effective policy of its port.
/// </summary>
internal static class ClusterCompiler
{
    public static ImmutableArray<Cluster> Compile(ServiceView view, ServiceTraffic traffic, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(traffic);
        var service = view.Service;
        if (service.Type == ServiceType.ExternalName)
        {
            // Resolved by DNS, never through a cluster.
            return [];
        }

        var fqdn = MeshNames.ServiceFqdn(service.Namespace, service.Name, clusterDomain);
        var clusters = new List<Cluster>(view.Ports.Length);
        foreach (var portView in view.Ports)
        {
            var port = portView.Port;
            var policy = traffic.PolicyFor(port.Port);
            clusters.Add(Cluster(view, portView, MeshNames.OutboundClusterName(fqdn, port.Port), policy, static _ => true));
            foreach (var subset in traffic.SubsetsFor(port.Port))
            {
                clusters.Add(Cluster(
                    view, portView, SubsetClusterName(fqdn, port.Port, subset), policy, e => LabelSelector.Matches(subset, e.Labels)));
            }
        }

        if (service.Headless)
        {
            clusters.AddRange(HeadlessEndpointCompiler.Clusters(view, traffic, clusterDomain));
        }

        clusters.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return [.. clusters];
    }

    /// <summary>"outbound|80|version=v2|posts.blog.svc.cluster.local": the subset's labels in key order.</summary>
    public static string SubsetClusterName(string fqdn, int port, ImmutableSortedDictionary<string, string> subset) =>
        string.Create(CultureInfo.InvariantCulture, $"outbound|{port}|{ServiceTraffic.SubsetName(subset)}|{fqdn}");

    private static Cluster Cluster(
        ServiceView view, ServicePortView portView, string name, TrafficPolicy? policy, Func<ResolvedEndpoint, bool> selects)
    {
        var service = view.Service;
        var cluster = new Cluster
        {
            Name = name,
            Service = MeshNames.NamespacedName(service.Namespace, service.Name),
            Port = (uint)portView.Port.Port,
            AppProtocol = AppProtocol(portView.Port),
            AppProtocolDeclared = !string.IsNullOrEmpty(portView.Port.AppProtocol),
        };
        foreach (var endpoint in portView.Endpoints)
        {
            if (view.Serves(endpoint, portView) && selects(endpoint))
            {
                cluster.Endpoints.Add(ToProto(endpoint));
            }
        }

        ClusterPolicyCompiler.Apply(cluster, policy, service);
        return cluster;
    }

    /// <summary>The port's appProtocol, else its protocol, lower case ("http", "kubernetes.io/h2c", "tcp").</summary>
    public static string AppProtocol(ServicePort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        var value = string.IsNullOrEmpty(port.AppProtocol) ? port.Protocol : port.AppProtocol;
        return value.ToLowerInvariant();
    }

    public static Protocol.V1.Endpoint ToProto(ResolvedEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var result = new Protocol.V1.Endpoint
        {
            Address = endpoint.Address,
            Port = (uint)endpoint.Port,
            TargetPort = (uint)endpoint.TargetPort,
            Meshed = endpoint.Meshed,
            Workload = endpoint.Workload,
            Identity = endpoint.Identity ?? string.Empty,
        };
        foreach (var (key, value) in endpoint.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            result.Labels.Add(key, value);
        }

        return result;
    }
}

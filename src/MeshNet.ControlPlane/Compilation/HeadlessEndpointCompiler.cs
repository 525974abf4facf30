using System.Collections.Immutable;
using System.Globalization;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// Routing for a headless Service's pods: a client resolves the Service (or "pod-0.svc") to a pod IP and connects
/// to podIP:port, which a transparent sidecar must still send through the mesh to that very pod. Without a proto
/// change, that is expressed with what the sidecar already consumes: per served endpoint and Service port, one
/// cluster "outbound|PORT|ADDRESS|FQDN" holding only that endpoint, and one virtual host whose domains are
/// "ADDRESS:TARGETPORT" (what SO_ORIGINAL_DST shows) and the endpoint's DNS names with that port (for Host routing
/// in explicit mode). The virtual host is named "HOSTNAME.FQDN:TARGETPORT", HOSTNAME being the endpoint's hostname
/// or its dashed address, as in the DNS records.
/// </summary>
internal static class HeadlessEndpointCompiler
{
    public static string ClusterName(string fqdn, int port, string address) =>
        string.Create(CultureInfo.InvariantCulture, $"outbound|{port}|{address}|{fqdn}");

    public static IEnumerable<Cluster> Clusters(ServiceView view, ServiceTraffic traffic, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(traffic);
        var service = view.Service;
        var fqdn = MeshNames.ServiceFqdn(service.Namespace, service.Name, clusterDomain);
        foreach (var portView in view.Ports)
        {
            foreach (var group in portView.Endpoints.Where(e => view.Serves(e, portView)).GroupBy(e => e.Address, StringComparer.Ordinal))
            {
                var cluster = new Cluster
                {
                    Name = ClusterName(fqdn, portView.Port.Port, group.Key),
                    Service = MeshNames.NamespacedName(service.Namespace, service.Name),
                    Port = (uint)portView.Port.Port,
                    AppProtocol = ClusterCompiler.AppProtocol(portView.Port),
                    AppProtocolDeclared = !string.IsNullOrEmpty(portView.Port.AppProtocol),
                };
                cluster.Endpoints.AddRange(group.Select(ClusterCompiler.ToProto));
                ClusterPolicyCompiler.Apply(cluster, traffic.PolicyFor(portView.Port.Port), service);
                yield return cluster;
            }
        }
    }

    public static ImmutableArray<VirtualHost> VirtualHosts(ServiceView view, string clientNamespace, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(view);
        var service = view.Service;
        var fqdn = MeshNames.ServiceFqdn(service.Namespace, service.Name, clusterDomain);
        var hosts = new SortedDictionary<string, VirtualHost>(StringComparer.Ordinal);
        var seen = new HashSet<(string Address, int TargetPort)>();
        foreach (var portView in view.Ports)
        {
            foreach (var endpoint in portView.Endpoints.Where(e => view.Serves(e, portView)))
            {
                // Two Service ports with one target port reach the same pod port: the first one routes it.
                if (!seen.Add((endpoint.Address, endpoint.TargetPort)))
                {
                    continue;
                }

                var label = endpoint.Hostname ?? endpoint.Address.Replace('.', '-').Replace(':', '-');
                var suffix = ":" + endpoint.TargetPort.ToString(CultureInfo.InvariantCulture);
                var host = new VirtualHost
                {
                    Name = $"{label}.{fqdn}{suffix}",
                    Service = MeshNames.NamespacedName(service.Namespace, service.Name),
                };
                host.Domains.Add((endpoint.Address.Contains(':', StringComparison.Ordinal) ? $"[{endpoint.Address}]" : endpoint.Address) + suffix);
                foreach (var alias in MeshNames.ServiceHostAliases(service.Namespace, $"{label}.{service.Name}", clientNamespace, clusterDomain))
                {
                    host.Domains.Add(alias + suffix);
                }

                host.Routes.Add(new Protocol.V1.Route
                {
                    Name = VirtualHostCompiler.DefaultRouteName,
                    Match = new RouteMatch(),
                    Clusters = { new WeightedCluster { Cluster = ClusterName(fqdn, portView.Port.Port, endpoint.Address), Weight = 100 } },
                });
                hosts.TryAdd(host.Name, host);
            }
        }

        return [.. hosts.Values];
    }
}

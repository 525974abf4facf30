using System.Collections.Immutable;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>One <see cref="Cluster"/> per Service port, holding the endpoints that take traffic.</summary>
internal static class ClusterCompiler
{
    public static ImmutableArray<Cluster> Compile(ServiceView view, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(view);
        var service = view.Service;
        if (service.Type == ServiceType.ExternalName)
        {
            // Resolved by DNS, never through a cluster.
            return [];
        }

        var fqdn = MeshNames.ServiceFqdn(service.Namespace, service.Name, clusterDomain);
        var serviceName = MeshNames.NamespacedName(service.Namespace, service.Name);
        var clusters = new List<Cluster>(view.Ports.Length);
        foreach (var portView in view.Ports)
        {
            var port = portView.Port;
            var cluster = new Cluster
            {
                Name = MeshNames.OutboundClusterName(fqdn, port.Port),
                Service = serviceName,
                Port = (uint)port.Port,
                AppProtocol = AppProtocol(port),
            };
            foreach (var endpoint in portView.Endpoints)
            {
                if (view.Serves(endpoint))
                {
                    cluster.Endpoints.Add(ToProto(endpoint));
                }
            }

            clusters.Add(cluster);
        }

        if (service.Headless)
        {
            clusters.AddRange(HeadlessEndpointCompiler.Clusters(view, clusterDomain));
        }

        clusters.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return [.. clusters];
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
        };
        foreach (var (key, value) in endpoint.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            result.Labels.Add(key, value);
        }

        return result;
    }
}

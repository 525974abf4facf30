using System.Collections.Immutable;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// What the cluster DNS needs about a Service (Kubernetes DNS-Based Service Discovery, schema 1.1.0): its cluster IPs
/// and named ports; for a headless Service also every endpoint with its hostname, readiness and real port numbers;
/// for an ExternalName Service the target name. The control plane's own DNS listener and every sidecar's DNS proxy
/// build their tables from these same messages.
/// </summary>
internal static class DnsCompiler
{
    public static Protocol.V1.DnsService Compile(ServiceView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var service = view.Service;
        var result = new Protocol.V1.DnsService
        {
            Key = MeshNames.NamespacedName(service.Namespace, service.Name),
            Namespace = service.Namespace,
            Name = service.Name,
            Headless = service.Headless,
            PublishNotReadyAddresses = service.PublishNotReadyAddresses,
        };
        foreach (var port in service.Ports)
        {
            result.Ports.Add(new DnsPort { Name = port.Name, Port = (uint)port.Port, Protocol = port.Protocol });
        }

        if (service.Type == ServiceType.ExternalName)
        {
            result.ExternalName = service.ExternalName ?? string.Empty;
            return result;
        }

        if (!service.Headless)
        {
            result.ClusterIps.AddRange(service.ClusterIPs.Where(ip => ip.Length > 0 && !string.Equals(ip, "None", StringComparison.OrdinalIgnoreCase)));
            return result;
        }

        result.Endpoints.AddRange(HeadlessEndpoints(view));
        return result;
    }

    /// <summary>One DNS endpoint per address, whatever number of Service ports it serves, with its port numbers by name.</summary>
    private static SortedDictionary<string, DnsEndpoint>.ValueCollection HeadlessEndpoints(ServiceView view)
    {
        var byAddress = new SortedDictionary<string, DnsEndpoint>(StringComparer.Ordinal);
        foreach (var portView in view.Ports)
        {
            foreach (var endpoint in portView.Endpoints)
            {
                if (!byAddress.TryGetValue(endpoint.Address, out var entry))
                {
                    entry = new DnsEndpoint { Hostname = endpoint.Hostname ?? string.Empty, Ready = endpoint.Ready };
                    entry.Addresses.Add(endpoint.Address);
                    byAddress.Add(endpoint.Address, entry);
                }

                // An endpoint counts as ready when any of its ports is: readiness is per pod, not per port.
                entry.Ready |= endpoint.Ready;
                if (portView.Port.Name.Length > 0 && endpoint.TargetPort != portView.Port.Port)
                {
                    entry.Ports[portView.Port.Name] = (uint)endpoint.TargetPort;
                }
            }
        }

        return byAddress.Values;
    }

    /// <summary>The zone and every namespace anything lives in, declared or not, sorted.</summary>
    public static DnsZone Zone(MeshSnapshot snapshot, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var namespaces = new SortedSet<string>(StringComparer.Ordinal);
        namespaces.UnionWith(snapshot.Namespaces.Values.Select(n => n.Name));
        namespaces.UnionWith(snapshot.Services.Keys.Select(k => k.Namespace));
        namespaces.UnionWith(snapshot.Workloads.Keys.Select(k => k.Namespace));
        var zone = new DnsZone { Zone = clusterDomain };
        zone.Namespaces.AddRange(namespaces);
        return zone;
    }

    /// <summary>Sorted by key, like every list in a <see cref="ProxyConfig"/>.</summary>
    public static ImmutableArray<Protocol.V1.DnsService> Sort(IEnumerable<Protocol.V1.DnsService> services) =>
        [.. services.OrderBy(s => s.Key, StringComparer.Ordinal)];
}

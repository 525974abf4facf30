using System.Collections.Immutable;
using System.Globalization;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// The outbound routing table for clients in one namespace: one virtual host per Service port, reachable by
/// every name the client's DNS search path would resolve, plus the Service's cluster IPs.
/// </summary>
internal static class VirtualHostCompiler
{
    public const string DefaultRouteName = "default";

    /// <summary>
    /// One Service's virtual hosts as seen from <paramref name="clientNamespace"/>. They differ only in whether
    /// the client shares the Service's namespace (the bare name resolves there alone), so callers can cache
    /// two variants per Service. Routes come from the TrafficRoute in force for each port, if any.
    /// </summary>
    public static ImmutableArray<VirtualHost> CompileService(MeshService service, ServiceTraffic traffic, string clientNamespace, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(traffic);
        if (service.Type == ServiceType.ExternalName)
        {
            return [];
        }

        var fqdn = MeshNames.ServiceFqdn(service.Namespace, service.Name, clusterDomain);
        return [.. service.Ports.Select(port => Compile(service, traffic, port, fqdn, clientNamespace, clusterDomain))];
    }

    private static VirtualHost Compile(
        MeshService service, ServiceTraffic traffic, ServicePort port, string fqdn, string clientNamespace, string clusterDomain)
    {
        var suffix = ":" + port.Port.ToString(CultureInfo.InvariantCulture);
        var host = new VirtualHost
        {
            Name = MeshNames.VirtualHostName(fqdn, port.Port),
            Service = MeshNames.NamespacedName(service.Namespace, service.Name),
        };
        foreach (var alias in MeshNames.ServiceHostAliases(service.Namespace, service.Name, clientNamespace, clusterDomain))
        {
            host.Domains.Add(alias + suffix);
        }

        foreach (var ip in service.ClusterIPs.Where(ip => !string.Equals(ip, "None", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            // An IPv6 address needs brackets before a port, as it appears in a Host header.
            host.Domains.Add((ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip) + suffix);
        }

        host.Routes.AddRange(RouteCompiler.Compile(service, port.Port, traffic, clusterDomain));
        return host;
    }
}

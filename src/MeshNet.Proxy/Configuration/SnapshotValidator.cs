using System.Globalization;
using MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// Checks a whole snapshot before it may replace the last good one. Messages name the resource and the field so a
/// NACK read on the control plane says what to fix. The first error wins: one clear message beats a list.
/// </summary>
internal static class SnapshotValidator
{
    private const int MaxPort = 65535;

    public static string? Validate(ProxySnapshot snapshot, OwnListeners ownListeners)
    {
        foreach (var cluster in snapshot.Clusters.Values)
        {
            if (ValidateCluster(cluster, ownListeners) is { } error)
            {
                return error;
            }
        }

        var domainOwners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var virtualHost in snapshot.VirtualHosts.Values)
        {
            if (ValidateVirtualHost(virtualHost, snapshot, domainOwners) is { } error)
            {
                return error;
            }
        }

        if (snapshot.Inbound is { } inbound)
        {
            if (inbound.DefaultPort > MaxPort)
            {
                return Format("inbound: default_port {0} is out of range 0-65535", inbound.DefaultPort);
            }

            foreach (var port in inbound.Ports)
            {
                if (port.Port is 0 or > MaxPort)
                {
                    return Format("inbound: port \"{0}\" {1} is out of range 1-65535", port.Name, port.Port);
                }
            }
        }

        return null;
    }

    private static string? ValidateCluster(Cluster cluster, OwnListeners ownListeners)
    {
        if (cluster.Port is 0 or > MaxPort)
        {
            return Format("cluster \"{0}\": port {1} is out of range 1-65535", cluster.Name, cluster.Port);
        }

        if (TrafficRulesValidator.ValidatePolicy(cluster) is { } policyError)
        {
            return policyError;
        }

        var seen = new HashSet<(string, uint)>();
        for (var i = 0; i < cluster.Endpoints.Count; i++)
        {
            var endpoint = cluster.Endpoints[i];
            if (Uri.CheckHostName(endpoint.Address) is UriHostNameType.Unknown or UriHostNameType.Basic)
            {
                return Format("cluster \"{0}\": endpoint {1} address \"{2}\" is not an IP address or host name", cluster.Name, i, endpoint.Address);
            }

            if (endpoint.Port is 0 or > MaxPort)
            {
                return Format("cluster \"{0}\": endpoint {1} port {2} is out of range 1-65535", cluster.Name, i, endpoint.Port);
            }

            if (endpoint.TargetPort > MaxPort || (endpoint.Meshed && endpoint.TargetPort == 0))
            {
                return Format("cluster \"{0}\": endpoint {1} target_port {2} is out of range 1-65535", cluster.Name, i, endpoint.TargetPort);
            }

            if (ownListeners.LeadsBackHere(endpoint))
            {
                return Format("cluster \"{0}\": endpoint {1}:{2} (target port {3}) leads back into this sidecar; forwarding to it would loop", cluster.Name, endpoint.Address, endpoint.Port, endpoint.TargetPort);
            }

            if (!seen.Add((endpoint.Address, endpoint.Port)))
            {
                return Format("cluster \"{0}\": endpoint {1}:{2} appears twice", cluster.Name, endpoint.Address, endpoint.Port);
            }
        }

        return null;
    }

    private static string? ValidateVirtualHost(VirtualHost virtualHost, ProxySnapshot snapshot, Dictionary<string, string> domainOwners)
    {
        if (virtualHost.Domains.Count == 0)
        {
            return Format("virtual host \"{0}\": no domains", virtualHost.Name);
        }

        foreach (var domain in virtualHost.Domains)
        {
            if (!HostKeys.TrySplit(domain, out _, out _))
            {
                return Format("virtual host \"{0}\": domain \"{1}\" is not host:port with a port in 1-65535", virtualHost.Name, domain);
            }

            var key = HostKeys.Canonical(domain);
            if (domainOwners.TryGetValue(key, out var owner))
            {
                return Format("domain \"{0}\" is claimed by virtual hosts \"{1}\" and \"{2}\"", domain, owner, virtualHost.Name);
            }

            domainOwners[key] = virtualHost.Name;
        }

        if (virtualHost.Routes.Count == 0)
        {
            return Format("virtual host \"{0}\": no routes", virtualHost.Name);
        }

        var routeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var route in virtualHost.Routes)
        {
            if (!routeNames.Add(route.Name))
            {
                return Format("virtual host \"{0}\": route \"{1}\" appears twice", virtualHost.Name, route.Name);
            }

            if (route.Clusters.Count == 0)
            {
                return Format("route \"{0}\" of virtual host \"{1}\": no clusters", route.Name, virtualHost.Name);
            }

            foreach (var weighted in route.Clusters)
            {
                if (!snapshot.Clusters.ContainsKey(weighted.Cluster))
                {
                    return Format("route \"{0}\" of virtual host \"{1}\" references unknown cluster \"{2}\"", route.Name, virtualHost.Name, weighted.Cluster);
                }
            }

            if (TrafficRulesValidator.ValidateRoute(route, virtualHost) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}

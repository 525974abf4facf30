using MeshNet.Protocol.V1;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Tests.Infrastructure;

/// <summary>Builds discovery responses the way the control plane's compiler shapes them.</summary>
public static class MeshConfig
{
    public static string Fqdn(string ns, string name) => $"{name}.{ns}.svc.cluster.local";

    public static string ClusterName(string ns, string name, int port) => $"outbound|{port}||{Fqdn(ns, name)}";

    /// <summary>A Service's virtual host as seen from a client namespace: the bare name only from its own.</summary>
    public static VirtualHost VirtualHost(string ns, string name, int port, string clientNamespace, params string[] extraDomains)
    {
        var virtualHost = new VirtualHost { Name = $"{Fqdn(ns, name)}:{port}", Service = $"{ns}/{name}" };
        if (ns == clientNamespace)
        {
            virtualHost.Domains.Add($"{name}:{port}");
        }

        virtualHost.Domains.Add($"{name}.{ns}:{port}");
        virtualHost.Domains.Add($"{name}.{ns}.svc:{port}");
        virtualHost.Domains.Add($"{Fqdn(ns, name)}:{port}");
        virtualHost.Domains.Add(extraDomains);
        var route = new Route { Name = "default", Match = new RouteMatch() };
        route.Clusters.Add(new WeightedCluster { Cluster = ClusterName(ns, name, port), Weight = 100 });
        virtualHost.Routes.Add(route);
        return virtualHost;
    }

    public static Cluster Cluster(string ns, string name, int port, params Proto.Endpoint[] endpoints)
    {
        var cluster = new Cluster { Name = ClusterName(ns, name, port), Service = $"{ns}/{name}", Port = (uint)port, AppProtocol = "http" };
        cluster.Endpoints.Add(endpoints);
        return cluster;
    }

    public static Proto.Endpoint Plain(int port, string address = "127.0.0.1") =>
        new() { Address = address, Port = (uint)port, TargetPort = (uint)port, Workload = $"test/pod-{port}" };

    public static Proto.Endpoint Meshed(int sidecarInboundPort, int targetPort, string address = "127.0.0.1") =>
        new() { Address = address, Port = (uint)sidecarInboundPort, TargetPort = (uint)targetPort, Meshed = true, Workload = $"test/pod-{targetPort}" };

    public static DiscoveryResponse Full(string version, IEnumerable<VirtualHost> virtualHosts, IEnumerable<Cluster> clusters, Inbound? inbound = null)
    {
        var response = new DiscoveryResponse { VersionInfo = version, Nonce = $"n-{version}", FullState = true, Inbound = inbound };
        response.VirtualHosts.Add(virtualHosts);
        response.Clusters.Add(clusters);
        return response;
    }

    public static DiscoveryResponse Delta(
        string version,
        IEnumerable<VirtualHost>? virtualHosts = null,
        IEnumerable<Cluster>? clusters = null,
        IEnumerable<string>? removedVirtualHosts = null,
        IEnumerable<string>? removedClusters = null)
    {
        var response = new DiscoveryResponse { VersionInfo = version, Nonce = $"n-{version}", FullState = false };
        response.VirtualHosts.Add(virtualHosts ?? []);
        response.Clusters.Add(clusters ?? []);
        response.RemovedVirtualHosts.Add(removedVirtualHosts ?? []);
        response.RemovedClusters.Add(removedClusters ?? []);
        return response;
    }
}

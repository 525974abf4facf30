namespace MeshNet.Cli.Local.Gateway;

/// <summary>The part of the control plane's GET /debug/services entries the gateway reads.</summary>
internal sealed record ServiceStatus(string Namespace, string Name, string Type, List<string> ClusterIPs, List<ServicePortStatus> Ports)
{
    public bool IsNodePort => Type is "NodePort" or "LoadBalancer";

    public bool IsLoadBalancer => Type == "LoadBalancer";
}

internal sealed record ServicePortStatus(string? Name, int Port, string Protocol, int? NodePort);

using System.Text.Json;

namespace MeshNet.Cli.Local.Gateway;

/// <summary>The part of the control plane's GET /debug/services entries that meshctl reads.</summary>
/// <param name="LoadBalancerIngress">External addresses the control plane allocated; null or empty when it has none.</param>
/// <param name="ExternalName">An ExternalName Service's DNS name; null for other types.</param>
internal sealed record ServiceStatus(
    string Namespace,
    string Name,
    string Type,
    List<string> ClusterIPs,
    List<ServicePortStatus> Ports,
    List<EndpointStatus>? Endpoints = null,
    List<string>? LoadBalancerIngress = null,
    string? ExternalName = null)
{
    public bool IsNodePort => Type is "NodePort" or "LoadBalancer";

    public bool IsLoadBalancer => Type == "LoadBalancer";
}

/// <param name="TargetPort">A number or a container port name, as the Service's spec has it.</param>
internal sealed record ServicePortStatus(string? Name, int Port, string Protocol, int? NodePort, JsonElement TargetPort = default);

/// <param name="Port">The Service port this endpoint serves.</param>
internal sealed record EndpointStatus(int Port, string Workload, string Address, int TargetPort, bool Ready);

using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Admin;

/// <summary>/debug/errors entry; resource reads "Kind ns/name".</summary>
internal sealed record ErrorView(string Origin, int? DocumentIndex, string? Resource, string? Field, string Message)
{
    public static ErrorView From(ResourceError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new ErrorView(error.Origin, error.DocumentIndex, error.Resource?.ToString(), error.Field, error.Message);
    }
}

/// <summary>/debug/services entry: the Service and every endpoint behind it, ready or not.</summary>
/// <param name="ClusterIPs">Requested or allocated; empty for headless and ExternalName Services.</param>
/// <param name="LoadBalancerIngress">
/// External addresses of a LoadBalancer Service: its source's status.loadBalancer.ingress, else the one allocated from
/// --load-balancer-cidr (what a local gateway should serve it on). Empty for other types, and while the pool is exhausted.
/// </param>
internal sealed record ServiceStatusView(
    string Namespace,
    string Name,
    string Type,
    IReadOnlyList<string> ClusterIPs,
    IReadOnlyList<ServicePortStatusView> Ports,
    IReadOnlyList<EndpointStatusView> Endpoints,
    IReadOnlyList<string> LoadBalancerIngress,
    string? ExternalName)
{
    public static ServiceStatusView From(ServiceView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var service = view.Service;
        return new ServiceStatusView(
            service.Namespace,
            service.Name,
            service.Type.ToString(),
            service.ClusterIPs.IsDefault ? [] : [.. service.ClusterIPs],
            [.. service.Ports.Select(p => new ServicePortStatusView(
                p.Name, p.Port, p.TargetPort.IsNamed ? p.TargetPort.Name! : p.TargetPort.Number, p.Protocol, p.AppProtocol, p.NodePort))],
            [.. view.Ports.SelectMany(p => p.Endpoints.Select(e => new EndpointStatusView(
                p.Port.Port, e.Workload, e.Address, e.TargetPort, e.Ready, e.Meshed)))],
            service.LoadBalancerIngress.IsDefault ? [] : [.. service.LoadBalancerIngress],
            service.Type == ServiceType.ExternalName ? service.ExternalName : null);
    }
}

/// <param name="TargetPort">A number, or the container port name, as in the Service's spec.</param>
/// <param name="NodePort">Requested or allocated for NodePort and LoadBalancer Services, else null.</param>
internal sealed record ServicePortStatusView(string Name, int Port, object TargetPort, string Protocol, string? AppProtocol, int? NodePort);

/// <param name="Port">The Service port this endpoint serves.</param>
internal sealed record EndpointStatusView(int Port, string Workload, string Address, int TargetPort, bool Ready, bool Meshed);

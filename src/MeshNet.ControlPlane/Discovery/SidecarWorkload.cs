using System.Collections.Immutable;
using Grpc.Core;
using MeshNet.Model;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Discovery;

/// <summary>Turns a sidecar's Node into the Workload (kind Sidecar) it registers.</summary>
internal static class SidecarWorkload
{
    public const string DefaultServiceAccount = "default";

    /// <exception cref="RpcException">InvalidArgument when the node is missing or names no workload.</exception>
    public static Workload FromNode(Node? node)
    {
        if (node is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first request of a stream must carry node"));
        }

        if (node.Name.Length == 0 || node.Namespace.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "node.name and node.namespace are required"));
        }

        if (node.InboundPort > 65535 || node.Ports.Any(p => p.Port is 0 or > 65535))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "node ports must be 1-65535"));
        }

        var labels = node.Labels.ToImmutableDictionary(StringComparer.Ordinal);
        var ports = node.Ports
            .Select(p => new Model.WorkloadPort(p.Name, (int)p.Port, p.Protocol.Length == 0 ? "TCP" : p.Protocol))
            .ToImmutableArray();
        return new Workload(
            ResourceKinds.Sidecar,
            node.Namespace,
            node.Name,
            labels,
            node.ServiceAccount.Length == 0 ? DefaultServiceAccount : node.ServiceAccount,
            node.Address,
            ports,
            node.Ready,
            node.InboundPort == 0 ? null : (int)node.InboundPort,
            node.Hostname.Length == 0 ? null : node.Hostname,
            node.Subdomain.Length == 0 ? null : node.Subdomain,
            node.Identity.Length == 0 ? null : node.Identity);
    }
}

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
            node.Identity.Length == 0 ? null : node.Identity,
            node.Annotations.Count == 0 ? null : node.Annotations.ToImmutableDictionary(StringComparer.Ordinal),
            OwnerOf(node.Name, labels),
            node.AdminAddress.Length == 0 ? null : node.AdminAddress);
    }

    /// <summary>Set by a Deployment's ReplicaSet on its pods, which are named "&lt;deployment&gt;-&lt;hash&gt;-&lt;suffix&gt;".</summary>
    public const string PodTemplateHashLabel = "pod-template-hash";

    /// <summary>Set by the StatefulSet controller on its pods, which are named "&lt;statefulset&gt;-&lt;ordinal&gt;".</summary>
    public const string StatefulSetPodNameLabel = "statefulset.kubernetes.io/pod-name";

    /// <summary>
    /// The Deployment or StatefulSet a sidecar's pod belongs to, read the way Kubernetes names their pods and from the
    /// labels its controllers add (a Node carries no owner references): "posts-7d9f8b6c5-x2x9z" with
    /// pod-template-hash=7d9f8b6c5 belongs to "posts", "web-0" with statefulset.kubernetes.io/pod-name=web-0 to "web".
    /// Null for a pod that shows neither.
    /// </summary>
    internal static string? OwnerOf(string podName, IReadOnlyDictionary<string, string> labels)
    {
        if (labels.TryGetValue(PodTemplateHashLabel, out var hash) && hash.Length > 0)
        {
            var marker = $"-{hash}-";
            var at = podName.LastIndexOf(marker, StringComparison.Ordinal);
            if (at > 0 && at + marker.Length < podName.Length)
            {
                return podName[..at];
            }
        }

        if (labels.TryGetValue(StatefulSetPodNameLabel, out var statefulName) && statefulName == podName)
        {
            var dash = podName.LastIndexOf('-');
            if (dash > 0 && dash < podName.Length - 1 && podName.AsSpan(dash + 1).ContainsAnyExceptInRange('0', '9') is false)
            {
                return podName[..dash];
            }
        }

        return null;
    }
}

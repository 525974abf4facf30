using k8s.Models;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Conversion;

/// <summary>V1Pod to a <see cref="Workload"/> of kind Pod.</summary>
public static class WorkloadConverter
{
    public const string DefaultServiceAccount = "default";

    /// <summary>The label a Deployment's ReplicaSet and its pods carry: the hash suffix of the ReplicaSet's name.</summary>
    public const string PodTemplateHashLabel = "pod-template-hash";

    public static Workload ToWorkload(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var spec = pod.Spec ?? new V1PodSpec();
        var address = pod.Status?.PodIP ?? string.Empty;
        return new Workload(
            Kind: ResourceKinds.Pod,
            Namespace: ConversionHelpers.NamespaceOf(pod.Metadata),
            Name: pod.Metadata?.Name ?? string.Empty,
            Labels: ConversionHelpers.ToImmutable(pod.Metadata?.Labels),
            ServiceAccount: FirstNonEmpty(spec.ServiceAccountName, spec.ServiceAccount) ?? DefaultServiceAccount,
            Address: address,
            Ports: spec.Containers is null
                ? []
                : [.. spec.Containers.Where(c => c?.Ports is not null).SelectMany(c => c.Ports).Where(p => p is not null).Select(ToWorkloadPort)],
            // Without an address there is nothing to route to, whatever the condition says.
            Ready: address.Length > 0 && IsReady(pod.Status),
            InboundPort: null,
            Hostname: FirstNonEmpty(spec.Hostname),
            Subdomain: FirstNonEmpty(spec.Subdomain),
            Annotations: pod.Metadata?.Annotations is { Count: > 0 } annotations ? ConversionHelpers.ToImmutable(annotations) : null,
            Owner: OwnerOf(pod.Metadata),
            Terminating: pod.Metadata?.DeletionTimestamp is not null);
    }

    /// <summary>
    /// The Deployment or StatefulSet behind a pod, from its controller reference: a ReplicaSet is named
    /// "&lt;deployment&gt;-&lt;pod-template-hash&gt;" (the hash is also the pod's pod-template-hash label), a StatefulSet
    /// owns its pods directly. Any other controller (a bare ReplicaSet, a Job, a DaemonSet) is named as is.
    /// </summary>
    public static string? OwnerOf(V1ObjectMeta? metadata)
    {
        var controller = metadata?.OwnerReferences?.FirstOrDefault(o => o?.Controller == true) ?? metadata?.OwnerReferences?.FirstOrDefault();
        if (controller is null || string.IsNullOrEmpty(controller.Name))
        {
            return null;
        }

        if (string.Equals(controller.Kind, "ReplicaSet", StringComparison.Ordinal))
        {
            string? hash = null;
            metadata!.Labels?.TryGetValue(PodTemplateHashLabel, out hash);
            var dash = controller.Name.LastIndexOf('-');
            if (!string.IsNullOrEmpty(hash) && controller.Name.EndsWith("-" + hash, StringComparison.Ordinal))
            {
                return controller.Name[..^(hash.Length + 1)];
            }

            // Without the label, the suffix after the last dash is the hash when it looks like one.
            return dash > 0 && controller.Name[(dash + 1)..].All(char.IsAsciiLetterOrDigit) ? controller.Name[..dash] : controller.Name;
        }

        return controller.Name;
    }

    /// <summary>The Ready condition is "True"; a pod without conditions is not ready, as in Kubernetes.</summary>
    public static bool IsReady(V1PodStatus? status) =>
        status?.Conditions?.Any(c => c is not null
            && string.Equals(c.Type, "Ready", StringComparison.Ordinal)
            && string.Equals(c.Status, "True", StringComparison.Ordinal)) == true;

    private static WorkloadPort ToWorkloadPort(V1ContainerPort port) =>
        new(port.Name ?? string.Empty, port.ContainerPort, ConversionHelpers.ProtocolOrDefault(port.Protocol));

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));
}

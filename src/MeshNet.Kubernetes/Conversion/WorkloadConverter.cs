using k8s.Models;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Conversion;

/// <summary>V1Pod to a <see cref="Workload"/> of kind Pod.</summary>
public static class WorkloadConverter
{
    public const string DefaultServiceAccount = "default";

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
            Subdomain: FirstNonEmpty(spec.Subdomain));
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

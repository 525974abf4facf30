using System.Collections.Immutable;

namespace MeshNet.Model;

/// <summary>
/// Something that can be a Service endpoint: a Pod from the manifests (kind Pod) or a process whose
/// sidecar registered with the control plane (kind Sidecar).
/// </summary>
/// <param name="Address">The pod IP: where the workload (or its sidecar) is reached.</param>
/// <param name="InboundPort">The sidecar's inbound listener port; null for a workload without a sidecar.</param>
/// <param name="Hostname">spec.hostname, for headless DNS records; null when not set.</param>
/// <param name="Subdomain">spec.subdomain; null when not set.</param>
/// <param name="Identity">
/// The SPIFFE ID a registered sidecar says it serves mTLS as, once it holds a certificate; null otherwise. Clients
/// verify the server's certificate against it, so a wrong claim only makes the sidecar unreachable.
/// </param>
/// <param name="Annotations">The pod's annotations (meshnet.io/access-log, ...); null is the same as none.</param>
/// <param name="Owner">
/// The controller the pod belongs to (a Deployment or StatefulSet name) when known, for metric labels of bounded
/// cardinality; null when the pod stands alone.
/// </param>
/// <param name="AdminAddress">"IP:port" of a registered sidecar's admin listener (its /metrics); null otherwise.</param>
/// <param name="Terminating">
/// The pod is being deleted (metadata.deletionTimestamp is set). <paramref name="Ready"/> then still says whether it
/// answers (the EndpointSlice "serving" condition); it is an endpoint only when no endpoint of the Service is ready.
/// </param>
/// <param name="NotReadyReason">Why a registered sidecar reports its workload not ready (its probe's verdict).</param>
public sealed record Workload(
    string Kind,
    string Namespace,
    string Name,
    ImmutableDictionary<string, string> Labels,
    string ServiceAccount,
    string Address,
    ImmutableArray<WorkloadPort> Ports,
    bool Ready,
    int? InboundPort,
    string? Hostname,
    string? Subdomain,
    string? Identity = null,
    ImmutableDictionary<string, string>? Annotations = null,
    string? Owner = null,
    string? AdminAddress = null,
    bool Terminating = false,
    string? NotReadyReason = null)
    : MeshResource(new ResourceKey(Kind, Namespace, Name))
{
    public bool HasSidecar => InboundPort is not null;
}

/// <summary>A containerPort: optional name, number, protocol (TCP by default).</summary>
public sealed record WorkloadPort(string Name, int Port, string Protocol);

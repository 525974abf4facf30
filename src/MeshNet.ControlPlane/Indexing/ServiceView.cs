using System.Collections.Immutable;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>
/// A Service with its endpoints resolved per port. A view is replaced only when its inputs change, so
/// reference equality tells the compiler whether it can reuse what it built last time.
/// </summary>
internal sealed record ServiceView(MeshService Service, ImmutableArray<ServicePortView> Ports)
{
    /// <summary>Whether an endpoint takes traffic: ready, or the Service publishes not-ready addresses.</summary>
    public bool Serves(ResolvedEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Ready || Service.PublishNotReadyAddresses;
    }
}

/// <summary>One Service port and every endpoint behind it, ready or not (not-ready ones are kept for diagnostics).</summary>
internal sealed record ServicePortView(ServicePort Port, ImmutableArray<ResolvedEndpoint> Endpoints);

/// <param name="Workload">"namespace/name" of the workload, or empty when an EndpointSlice names none.</param>
/// <param name="Address">The workload's address (pod IP).</param>
/// <param name="Port">Where to connect: the sidecar's inbound port when meshed, else the target port.</param>
/// <param name="TargetPort">The workload's port the Service's targetPort resolved to.</param>
/// <param name="Hostname">
/// The endpoint's DNS hostname under a headless Service: the EndpointSlice entry's hostname, or a Pod's spec.hostname
/// when its spec.subdomain names the Service (as the EndpointSlice controller fills it); null otherwise.
/// </param>
/// <param name="Identity">The SPIFFE ID a meshed endpoint's sidecar serves mTLS as; null: plaintext.</param>
internal sealed record ResolvedEndpoint(
    string Workload,
    string Address,
    int Port,
    int TargetPort,
    bool Ready,
    bool Meshed,
    ImmutableDictionary<string, string> Labels,
    string? Hostname = null,
    string? Identity = null);

using System.Collections.Immutable;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>
/// A Service with its endpoints resolved per port. A view is replaced only when its inputs change, so
/// reference equality tells the compiler whether it can reuse what it built last time.
/// </summary>
internal sealed record ServiceView(MeshService Service, ImmutableArray<ServicePortView> Ports)
{
    /// <summary>
    /// Whether an endpoint of <paramref name="port"/> takes traffic: ready, or the Service publishes not-ready
    /// addresses, or — as kube-proxy does — serving while terminating when no endpoint of the port is ready, so a
    /// rolling update that takes every pod down at once still drains instead of failing.
    /// </summary>
    public bool Serves(ResolvedEndpoint endpoint, ServicePortView port)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(port);
        if (endpoint.Ready || Service.PublishNotReadyAddresses)
        {
            return true;
        }

        return endpoint.ServingTerminating && !port.AnyReady;
    }
}

/// <summary>One Service port and every endpoint behind it, ready or not (not-ready ones are kept for diagnostics).</summary>
internal sealed record ServicePortView(ServicePort Port, ImmutableArray<ResolvedEndpoint> Endpoints)
{
    /// <summary>Whether any endpoint of the port is ready (terminating ones stand in only when none is).</summary>
    public bool AnyReady { get; } = Endpoints.Any(static e => e.Ready);
}

/// <param name="Workload">"namespace/name" of the workload, or empty when an EndpointSlice names none.</param>
/// <param name="Address">The workload's address (pod IP).</param>
/// <param name="Port">Where to connect: the sidecar's inbound port when meshed, else the target port.</param>
/// <param name="TargetPort">The workload's port the Service's targetPort resolved to.</param>
/// <param name="Hostname">
/// The endpoint's DNS hostname under a headless Service: the EndpointSlice entry's hostname, or a Pod's spec.hostname
/// when its spec.subdomain names the Service (as the EndpointSlice controller fills it); null otherwise.
/// </param>
/// <param name="Identity">The SPIFFE ID a meshed endpoint's sidecar serves mTLS as; null: plaintext.</param>
/// <param name="ServingTerminating">Not ready, but answering while its pod terminates (used only when none is ready).</param>
internal sealed record ResolvedEndpoint(
    string Workload,
    string Address,
    int Port,
    int TargetPort,
    bool Ready,
    bool Meshed,
    ImmutableDictionary<string, string> Labels,
    string? Hostname = null,
    string? Identity = null,
    bool ServingTerminating = false);

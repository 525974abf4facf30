using System.Collections.Immutable;

namespace MeshNet.Model;

/// <summary>
/// An EndpointSlice (discovery.k8s.io/v1): endpoints supplied by the user for a Service, normally one
/// without a selector. <paramref name="ServiceName"/> comes from the kubernetes.io/service-name label.
/// </summary>
public sealed record EndpointSet(
    string Namespace,
    string Name,
    string ServiceName,
    string AddressType,
    ImmutableArray<EndpointSetPort> Ports,
    ImmutableArray<EndpointSetEntry> Endpoints)
    : MeshResource(new ResourceKey(ResourceKinds.EndpointSlice, Namespace, Name));

/// <param name="Name">Matches the Service port name ("" for an unnamed port).</param>
public sealed record EndpointSetPort(string Name, int Port, string Protocol, string? AppProtocol);

/// <param name="Ready">conditions.ready; an unset condition counts as ready, as the API documents.</param>
/// <param name="Serving">
/// conditions.serving: the endpoint answers even though it may be terminating; null (unset) defers to
/// <paramref name="Ready"/>, as the API documents.
/// </param>
/// <param name="Terminating">conditions.terminating: the pod behind it is shutting down.</param>
/// <param name="Zone">The endpoint's topology zone, when the slice names one.</param>
public sealed record EndpointSetEntry(
    ImmutableArray<string> Addresses,
    bool Ready,
    string? Hostname,
    string? TargetPodName,
    bool? Serving = null,
    bool Terminating = false,
    string? Zone = null)
{
    /// <summary>Not ready, but still answering while it shuts down: kube-proxy's fallback when nothing is ready.</summary>
    public bool ServingTerminating => !Ready && Terminating && (Serving ?? Ready);
}

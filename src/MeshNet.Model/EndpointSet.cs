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
public sealed record EndpointSetEntry(
    ImmutableArray<string> Addresses,
    bool Ready,
    string? Hostname,
    string? TargetPodName);

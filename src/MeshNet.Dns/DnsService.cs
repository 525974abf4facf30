using System.Net;

namespace MeshNet.Dns;

/// <summary>
/// A Service as the cluster DNS sees it: plain data the control plane maps from its own model. A Service with an
/// <see cref="ExternalName"/> is a CNAME; a <see cref="Headless"/> one resolves to its ready endpoints; any other
/// resolves to its <see cref="ClusterIPs"/> (IPv4 and/or IPv6).
/// </summary>
public sealed record DnsService(string Name, string Namespace)
{
    public IReadOnlyList<IPAddress> ClusterIPs { get; init; } = [];

    public IReadOnlyList<DnsPort> Ports { get; init; } = [];

    public bool Headless { get; init; }

    public string? ExternalName { get; init; }

    public IReadOnlyList<DnsEndpoint> Endpoints { get; init; } = [];

    /// <summary>Headless Services publish not-ready endpoints too (the Service field of the same name).</summary>
    public bool PublishNotReadyAddresses { get; init; }
}

/// <summary>A Service (or endpoint) port. Only named ports get SRV records; <see cref="Protocol"/> is TCP, UDP or SCTP.</summary>
public sealed record DnsPort(string? Name, int Port, string Protocol = "TCP");

/// <summary>
/// One endpoint of a Service (an EndpointSlice endpoint). <see cref="Hostname"/> is the endpoint's hostname field;
/// without it a name is generated from each address. <see cref="Ports"/> override the Service's port numbers by
/// name in headless SRV records, since an EndpointSlice carries the ports the endpoints really listen on.
/// </summary>
public sealed record DnsEndpoint(IReadOnlyList<IPAddress> Addresses)
{
    public string? Hostname { get; init; }

    public bool Ready { get; init; } = true;

    public IReadOnlyList<DnsPort> Ports { get; init; } = [];
}

using System.Net;

namespace MeshNet.Dns.Server;

/// <summary>Where and how a <see cref="DnsServer"/> listens.</summary>
public sealed record DnsServerOptions
{
    /// <summary>UDP and TCP share it; port 0 picks a free port that both can use.</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 53);

    /// <summary>Where names outside the zone go; without one they are REFUSED.</summary>
    public DnsForwarder? Forwarder { get; init; }

    /// <summary>How long an upstream may take before the client gets SERVFAIL; stub resolvers retry after 5 s, so stay under.</summary>
    public TimeSpan ForwardTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a TCP connection may sit between queries before it is closed (RFC 7766 §6.2.3 suggests seconds).</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxTcpConnections { get; init; } = 256;

    /// <summary>UDP queries waiting on the upstream at once; beyond this they get SERVFAIL at once.</summary>
    public int MaxConcurrentForwards { get; init; } = 512;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

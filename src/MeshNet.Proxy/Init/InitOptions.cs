using System.Collections.Immutable;

namespace MeshNet.Proxy.Init;

/// <summary>What <c>meshnet-proxy init</c> installs (or removes); immutable once parsed.</summary>
internal sealed record InitOptions
{
    public int InboundPort { get; init; } = 15006;

    public int OutboundPort { get; init; } = 15001;

    public int DnsPort { get; init; } = Hosting.ProxyOptions.DefaultDnsPort;

    public uint Mark { get; init; } = Hosting.ProxyOptions.DefaultMark;

    public int? ProxyUid { get; init; }

    public int? ProxyGid { get; init; }

    /// <summary>Inbound ports left alone (the inbound port itself is always excluded, or it would loop).</summary>
    public ImmutableArray<int> ExcludeInboundPorts { get; init; } = [];

    /// <summary>CIDRs outbound traffic reaches directly (IPv4 ones go to iptables, IPv6 ones to ip6tables).</summary>
    public ImmutableArray<string> ExcludeOutboundCidrs { get; init; } = [];

    public bool Remove { get; init; }

    public bool DryRun { get; init; }
}

using System.Collections.Frozen;
using MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// The last good configuration as the control plane sent it: immutable, replaced whole on every accepted response.
/// The protobuf messages inside are never mutated after the snapshot is built.
/// </summary>
internal sealed record ProxySnapshot(
    string Version,
    FrozenDictionary<string, VirtualHost> VirtualHosts,
    FrozenDictionary<string, Cluster> Clusters,
    Inbound? Inbound)
{
    public static ProxySnapshot Empty { get; } = new(
        string.Empty,
        FrozenDictionary<string, VirtualHost>.Empty,
        FrozenDictionary<string, Cluster>.Empty,
        null);

    /// <summary>Cluster DNS entries by key ("namespace/name").</summary>
    public FrozenDictionary<string, DnsService> DnsServices { get; init; } = FrozenDictionary<string, DnsService>.Empty;

    public DnsZone? DnsZone { get; init; }

    /// <summary>The record table built from <see cref="DnsServices"/> when the snapshot was validated.</summary>
    public MeshNet.Dns.DnsRecordTable DnsTable { get; init; } = MeshNet.Dns.DnsRecordTable.Empty();

    /// <summary>What the sidecar reports about traffic (workload label, access log); null until the control plane sends it.</summary>
    public Protocol.V1.Telemetry? Telemetry { get; init; }

    /// <summary>The roots peers are checked against and the CA's signer; null until the control plane pushes them.</summary>
    public TrustBundle? TrustBundle { get; init; }

    /// <summary>True once any configuration was accepted.</summary>
    public bool IsApplied => Version.Length > 0;

    /// <summary>The snapshot as one full-state response, for the admin /config endpoint.</summary>
    public DiscoveryResponse ToFullState()
    {
        var response = new DiscoveryResponse { VersionInfo = Version, FullState = true, Inbound = Inbound };
        response.VirtualHosts.AddRange(VirtualHosts.Values.OrderBy(v => v.Name, StringComparer.Ordinal));
        response.Clusters.AddRange(Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal));
        response.DnsServices.AddRange(DnsServices.Values.OrderBy(d => d.Key, StringComparer.Ordinal));
        response.DnsZone = DnsZone;
        response.TrustBundle = TrustBundle;
        response.Telemetry = Telemetry;
        return response;
    }
}

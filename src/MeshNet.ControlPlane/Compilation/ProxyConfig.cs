using System.Collections.Immutable;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>One sidecar's complete configuration, every list sorted by name. Messages are shared between sidecars: never mutate them.</summary>
internal sealed record ProxyConfig(ImmutableArray<VirtualHost> VirtualHosts, ImmutableArray<Cluster> Clusters, Inbound Inbound)
{
    public static ProxyConfig Empty { get; } = new([], [], new Inbound());

    /// <summary>The cluster DNS table's Services, sorted by key.</summary>
    public ImmutableArray<DnsService> DnsServices { get; init; } = [];

    public DnsZone DnsZone { get; init; } = new();

    /// <summary>What the sidecar reports about traffic (workload label, access log).</summary>
    public Protocol.V1.Telemetry Telemetry { get; init; } = new();

    /// <summary>The CA's roots and signer, the same instance for every sidecar; set by the snapshot cache, not the compiler.</summary>
    public TrustBundle? TrustBundle { get; init; }

    /// <summary>
    /// Whether two compilations are the same. The compiler hands out a new list only when its content changed,
    /// so comparing list instances suffices; the rare false "changed" (content that changed and changed back
    /// between two publishes) only costs an empty delta, while comparing thousands of clusters per sidecar on
    /// every publish would cost every push.
    /// </summary>
    public bool SameContentAs(ProxyConfig other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return VirtualHosts == other.VirtualHosts && Clusters == other.Clusters && DnsServices == other.DnsServices &&
            Inbound.Equals(other.Inbound) && DnsZone.Equals(other.DnsZone) && Telemetry.Equals(other.Telemetry) &&
            (ReferenceEquals(TrustBundle, other.TrustBundle) || Equals(TrustBundle, other.TrustBundle));
    }
}

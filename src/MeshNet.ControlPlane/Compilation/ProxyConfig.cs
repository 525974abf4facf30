using System.Collections.Immutable;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>One sidecar's complete configuration, every list sorted by name. Messages are shared between sidecars: never mutate them.</summary>
internal sealed record ProxyConfig(ImmutableArray<VirtualHost> VirtualHosts, ImmutableArray<Cluster> Clusters, Inbound Inbound)
{
    public static ProxyConfig Empty { get; } = new([], [], new Inbound());

    /// <summary>Content equality; cheap when the lists share instances, as cached compilations do.</summary>
    public bool SameContentAs(ProxyConfig other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return (VirtualHosts == other.VirtualHosts || VirtualHosts.SequenceEqual(other.VirtualHosts)) &&
               (Clusters == other.Clusters || Clusters.SequenceEqual(other.Clusters)) &&
               Inbound.Equals(other.Inbound);
    }
}

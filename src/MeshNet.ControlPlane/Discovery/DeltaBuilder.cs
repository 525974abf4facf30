using Google.Protobuf.Collections;
using MeshNet.ControlPlane.Compilation;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Discovery;

/// <summary>Builds a response: the full state, or the upserts and removals that turn the ACKed base into the next config.</summary>
internal static class DeltaBuilder
{
    public static DiscoveryResponse Full(VersionedConfig next, string nonce)
    {
        ArgumentNullException.ThrowIfNull(next);
        var response = new DiscoveryResponse
        {
            VersionInfo = next.Version,
            Nonce = nonce,
            FullState = true,
            Inbound = next.Config.Inbound,
        };
        response.VirtualHosts.AddRange(next.Config.VirtualHosts);
        response.Clusters.AddRange(next.Config.Clusters);
        return response;
    }

    public static DiscoveryResponse Delta(ProxyConfig acked, VersionedConfig next, string nonce)
    {
        ArgumentNullException.ThrowIfNull(acked);
        ArgumentNullException.ThrowIfNull(next);
        var response = new DiscoveryResponse
        {
            VersionInfo = next.Version,
            Nonce = nonce,
            FullState = false,
        };
        Diff(acked.VirtualHosts, next.Config.VirtualHosts, h => h.Name, response.VirtualHosts, response.RemovedVirtualHosts);
        Diff(acked.Clusters, next.Config.Clusters, c => c.Name, response.Clusters, response.RemovedClusters);
        if (!acked.Inbound.Equals(next.Config.Inbound))
        {
            response.Inbound = next.Config.Inbound;
        }

        return response;
    }

    private static void Diff<T>(
        IReadOnlyList<T> before, IReadOnlyList<T> after, Func<T, string> name, RepeatedField<T> upserts, RepeatedField<string> removed)
        where T : class
    {
        var old = before.ToDictionary(name, StringComparer.Ordinal);
        foreach (var item in after)
        {
            if (!old.Remove(name(item), out var previous) || !previous.Equals(item))
            {
                upserts.Add(item);
            }
        }

        foreach (var gone in old.Keys.Order(StringComparer.Ordinal))
        {
            removed.Add(gone);
        }
    }
}

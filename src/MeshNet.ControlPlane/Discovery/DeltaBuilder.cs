using System.Collections.Immutable;
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
        response.DnsServices.AddRange(next.Config.DnsServices);
        response.DnsZone = next.Config.DnsZone;
        response.Telemetry = next.Config.Telemetry;
        response.TrustBundle = next.Config.TrustBundle;
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
        Diff(acked.DnsServices, next.Config.DnsServices, s => s.Key, response.DnsServices, response.RemovedDnsServices);
        if (!acked.DnsZone.Equals(next.Config.DnsZone))
        {
            response.DnsZone = next.Config.DnsZone;
        }

        if (next.Config.TrustBundle is { } bundle && !ReferenceEquals(acked.TrustBundle, bundle) && !bundle.Equals(acked.TrustBundle))
        {
            response.TrustBundle = bundle;
        }

        if (!acked.Telemetry.Equals(next.Config.Telemetry))
        {
            response.Telemetry = next.Config.Telemetry;
        }

        if (!acked.Inbound.Equals(next.Config.Inbound))
        {
            response.Inbound = next.Config.Inbound;
        }

        return response;
    }

    /// <summary>
    /// Both lists are sorted by name (the compiler guarantees it), so one merge walk finds upserts and removals
    /// without building a dictionary; shared instances compare by reference first, which keeps a push to
    /// hundreds of sidecars cheap when one cluster out of thousands changed.
    /// </summary>
    private static void Diff<T>(
        ImmutableArray<T> before, ImmutableArray<T> after, Func<T, string> name, RepeatedField<T> upserts, RepeatedField<string> removed)
        where T : class
    {
        if (before == after)
        {
            return;
        }

        int i = 0, j = 0;
        while (i < before.Length || j < after.Length)
        {
            var order = i == before.Length ? 1 : j == after.Length ? -1 : string.CompareOrdinal(name(before[i]), name(after[j]));
            if (order < 0)
            {
                removed.Add(name(before[i++]));
            }
            else if (order > 0)
            {
                upserts.Add(after[j++]);
            }
            else
            {
                if (!ReferenceEquals(before[i], after[j]) && !before[i].Equals(after[j]))
                {
                    upserts.Add(after[j]);
                }

                i++;
                j++;
            }
        }
    }
}

using System.Collections.Frozen;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.ClusterDns;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// Applies one discovery response to the last good snapshot: a full state replaces it, a delta upserts and removes
/// by name over a copy. The result is validated as a whole; the input snapshot is never touched.
/// </summary>
internal static class SnapshotUpdater
{
    /// <param name="ownListeners">This sidecar's listeners; an endpoint that leads back into them is refused.</param>
    public static ProxySnapshot? TryApply(ProxySnapshot current, DiscoveryResponse response, out string? error, OwnListeners? ownListeners = null)
    {
        if (response.VersionInfo.Length == 0)
        {
            error = "response has an empty version_info";
            return null;
        }

        var virtualHosts = response.FullState
            ? new Dictionary<string, VirtualHost>(StringComparer.Ordinal)
            : new Dictionary<string, VirtualHost>(current.VirtualHosts, StringComparer.Ordinal);
        var clusters = response.FullState
            ? new Dictionary<string, Cluster>(StringComparer.Ordinal)
            : new Dictionary<string, Cluster>(current.Clusters, StringComparer.Ordinal);

        var dnsServices = response.FullState
            ? new Dictionary<string, DnsService>(StringComparer.Ordinal)
            : new Dictionary<string, DnsService>(current.DnsServices, StringComparer.Ordinal);

        error = Merge(virtualHosts, response.VirtualHosts, response.RemovedVirtualHosts, static v => v.Name, "virtual host")
            ?? Merge(clusters, response.Clusters, response.RemovedClusters, static c => c.Name, "cluster")
            ?? Merge(dnsServices, response.DnsServices, response.RemovedDnsServices, static d => d.Key, "dns service");
        if (error is not null)
        {
            return null;
        }

        // A bundle is refused whole rather than half-used: an empty or unreadable one would fail every handshake.
        if (response.TrustBundle is { } bundle && !Identity.TrustBundleRoots.TryParse(bundle, out _, out error))
        {
            return null;
        }

        var inbound = response.Inbound ?? (response.FullState ? null : current.Inbound);
        var next = new ProxySnapshot(
            response.VersionInfo,
            virtualHosts.ToFrozenDictionary(StringComparer.Ordinal),
            clusters.ToFrozenDictionary(StringComparer.Ordinal),
            inbound)
        {
            DnsServices = dnsServices.ToFrozenDictionary(StringComparer.Ordinal),
            DnsZone = response.DnsZone ?? (response.FullState ? null : current.DnsZone),
            // Also kept across a full state without one: trust is never dropped by omission.
            TrustBundle = response.TrustBundle ?? current.TrustBundle,
            Telemetry = response.Telemetry ?? (response.FullState ? null : current.Telemetry),
        };

        error = SnapshotValidator.Validate(next, ownListeners ?? OwnListeners.None);
        if (error is not null)
        {
            return null;
        }

        // A delta that leaves DNS alone (most endpoint changes of ClusterIP Services) keeps the built table.
        if (!response.FullState && response.DnsServices.Count == 0 && response.RemovedDnsServices.Count == 0 && response.DnsZone is null && current.IsApplied)
        {
            return next with { DnsTable = current.DnsTable };
        }

        // The DNS table is built here, not on the request path, so a table that cannot be built is a NACK.
        var table = DnsTableTranslator.TryBuild(next, out error);
        return table is null ? null : next with { DnsTable = table };
    }

    private static string? Merge<T>(Dictionary<string, T> target, IEnumerable<T> upserts, IEnumerable<string> removals, Func<T, string> nameOf, string kind)
    {
        var upserted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in upserts)
        {
            var name = nameOf(item);
            if (name.Length == 0)
            {
                return $"a {kind} has an empty name";
            }

            if (!upserted.Add(name))
            {
                return $"{kind} \"{name}\" appears twice in one response";
            }

            target[name] = item;
        }

        foreach (var name in removals)
        {
            if (upserted.Contains(name))
            {
                return $"{kind} \"{name}\" is both updated and removed in one response";
            }

            // Removing an unknown name is harmless: the control plane's view of the ACKed base may include
            // a resource this sidecar already dropped with a full state.
            target.Remove(name);
        }

        return null;
    }
}

using System.Collections.Frozen;
using System.Net;
using MeshNet.Proxy.Configuration;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// Which pod IP:port an intercepted non-HTTP connection may be wrapped in mesh mTLS for, and the identity to demand:
/// a meshed endpoint with an identity, at a port some Service targets on it (its target_port). Other ports of the
/// same pod (say one excluded from its inbound interception) stay plain passthrough, since nothing there would
/// terminate the TLS. Rebuilt lazily when the snapshot changes.
/// </summary>
internal sealed class MeshTcpTargets(ConfigApplier applier)
{
    private Built? _cache;

    /// <summary>The SPIFFE ID the destination's sidecar serves, or null for plain passthrough.</summary>
    public string? IdentityFor(IPEndPoint destination)
    {
        var snapshot = applier.Current;
        var cache = Volatile.Read(ref _cache);
        if (cache is null || !ReferenceEquals(cache.Snapshot, snapshot))
        {
            cache = new Built(snapshot, Build(snapshot));
            Volatile.Write(ref _cache, cache);
        }

        return cache.Identities.TryGetValue(InterceptedConnection.DomainKey(destination), out var identity) ? identity : null;
    }

    private static FrozenDictionary<string, string> Build(ProxySnapshot snapshot)
    {
        var identities = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var cluster in snapshot.Clusters.Values)
        {
            foreach (var endpoint in cluster.Endpoints)
            {
                if (endpoint.Meshed && endpoint.Identity.Length > 0 && endpoint.TargetPort != 0 && IPAddress.TryParse(endpoint.Address, out var address))
                {
                    identities[InterceptedConnection.DomainKey(new IPEndPoint(address, (int)endpoint.TargetPort))] = endpoint.Identity;
                }
            }
        }

        return identities.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private sealed record Built(ProxySnapshot Snapshot, FrozenDictionary<string, string> Identities);
}

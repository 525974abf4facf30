using System.Collections.Frozen;
using System.Globalization;
using MeshNet.Proxy.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MeshNet.Proxy.Tls;

/// <summary>
/// The SPIFFE ID each endpoint ("address:port", as the connect callback sees it) runs as, from the applied
/// config. Rebuilt lazily when the snapshot changes; an endpoint is one sidecar's inbound listener, so every cluster
/// that lists it agrees on its identity.
/// </summary>
internal sealed class EndpointIdentities(IServiceProvider services)
{
    // Resolved on first use: the forwarder's client factory needs this, and the config applier sits downstream of
    // YARP's construction.
    private ConfigApplier? _applier;
    private Built? _cache;

    public string? For(string host, int port)
    {
        _applier ??= services.GetRequiredService<ConfigApplier>();
        var snapshot = _applier.Current;
        var cache = Volatile.Read(ref _cache);
        if (cache is null || !ReferenceEquals(cache.Snapshot, snapshot))
        {
            cache = new Built(snapshot, Build(snapshot));
            Volatile.Write(ref _cache, cache);
        }

        return cache.Identities.TryGetValue(Key(host, port), out var identity) ? identity : null;
    }

    private static FrozenDictionary<string, string> Build(ProxySnapshot snapshot)
    {
        var identities = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var cluster in snapshot.Clusters.Values)
        {
            foreach (var endpoint in cluster.Endpoints)
            {
                if (endpoint.Identity.Length > 0)
                {
                    identities[Key(endpoint.Address, (int)endpoint.Port)] = endpoint.Identity;
                }
            }
        }

        return identities.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private sealed record Built(ProxySnapshot Snapshot, FrozenDictionary<string, string> Identities);

    // The connect callback gets IPv6 hosts without brackets, the config has them bare too.
    private static string Key(string host, int port) => string.Create(CultureInfo.InvariantCulture, $"{host.Trim('[', ']')}|{port}");
}

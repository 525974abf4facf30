using System.Collections.Immutable;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// The virtual hosts of every namespace's clients, cached. Each Service's two variants (for clients in its own
/// namespace and elsewhere) are kept while the Service is unchanged, so a namespace's rebuilt table shares instances
/// and deltas compare by reference. Virtual hosts depend on Services and the TrafficRoutes in force only, except a
/// headless Service's per-endpoint hosts, which also follow its endpoints. Not thread-safe: the compiler calls it under
/// its lock.
/// </summary>
internal sealed class VirtualHostTable
{
    private readonly string _clusterDomain;
    private readonly Dictionary<ResourceKey, Entry> _byService = [];
    private readonly Dictionary<string, ImmutableArray<VirtualHost>> _byNamespace = new(StringComparer.Ordinal);

    // The tables from before the last refresh: a namespace whose hosts all kept their instances keeps its array too,
    // which is what tells the snapshot cache that those sidecars need no new version.
    private Dictionary<string, ImmutableArray<VirtualHost>> _stale = new(StringComparer.Ordinal);
    private long _generation = -1;
    private MeshIndex? _index;

    public VirtualHostTable(string clusterDomain)
    {
        _clusterDomain = clusterDomain;
    }

    public ImmutableArray<VirtualHost> For(MeshIndex index, string clientNamespace)
    {
        if (!ReferenceEquals(index, _index))
        {
            if (index.ServicesGeneration != _generation || HeadlessViewsChanged(index))
            {
                Refresh(index);
                _stale = new Dictionary<string, ImmutableArray<VirtualHost>>(_byNamespace, StringComparer.Ordinal);
                _byNamespace.Clear();
                _generation = index.ServicesGeneration;
            }

            _index = index;
        }

        if (!_byNamespace.TryGetValue(clientNamespace, out var hosts))
        {
            hosts = Assemble(clientNamespace);
            if (_stale.TryGetValue(clientNamespace, out var old) && old.SequenceEqual<VirtualHost, VirtualHost>(hosts, ReferenceEqualityComparer.Instance))
            {
                hosts = old;
            }

            _byNamespace[clientNamespace] = hosts;
        }

        return hosts;
    }

    private ImmutableArray<VirtualHost> Assemble(string clientNamespace)
    {
        var list = new List<VirtualHost>();
        var endpointHosts = new List<VirtualHost>();
        foreach (var entry in _byService.Values)
        {
            var local = string.Equals(entry.Service.Namespace, clientNamespace, StringComparison.Ordinal);
            list.AddRange(local ? entry.Local : entry.Remote);
            endpointHosts.AddRange(local ? entry.LocalEndpoints : entry.RemoteEndpoints);
        }

        if (endpointHosts.Count > 0)
        {
            list.AddRange(WithoutClaimedDomains(list, endpointHosts));
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return [.. list];
    }

    /// <summary>
    /// A pod selected by two headless Services would give two hosts the same "podIP:port" domain, which the
    /// sidecar rejects: the first host by name keeps it. Service hosts are unique already (admission).
    /// </summary>
    private static List<VirtualHost> WithoutClaimedDomains(List<VirtualHost> serviceHosts, List<VirtualHost> endpointHosts)
    {
        var claimed = new HashSet<string>(serviceHosts.SelectMany(h => h.Domains), StringComparer.OrdinalIgnoreCase);
        var result = new List<VirtualHost>(endpointHosts.Count);
        endpointHosts.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var host in endpointHosts)
        {
            var free = host.Domains.Where(d => !claimed.Contains(d)).ToList();
            claimed.UnionWith(free);
            if (free.Count == host.Domains.Count)
            {
                result.Add(host);
            }
            else if (free.Count > 0)
            {
                var trimmed = host.Clone();
                trimmed.Domains.Clear();
                trimmed.Domains.AddRange(free);
                result.Add(trimmed);
            }
        }

        return result;
    }

    private bool HeadlessViewsChanged(MeshIndex index) =>
        _byService.Any(p => p.Value.HeadlessView is { } view && !ReferenceEquals(index.Services.GetValueOrDefault(p.Key), view));

    private void Refresh(MeshIndex index)
    {
        var services = index.Snapshot.Services;
        foreach (var key in _byService.Keys.Where(k => !services.ContainsKey(k)).ToList())
        {
            _byService.Remove(key);
        }

        foreach (var (key, service) in services)
        {
            var view = service.Headless ? index.Services.GetValueOrDefault(key) : null;
            var traffic = index.Traffic.For(key);
            var had = _byService.TryGetValue(key, out var cached);
            if (had && ReferenceEquals(cached!.Service, service) && ReferenceEquals(cached.HeadlessView, view) && ReferenceEquals(cached.Traffic, traffic))
            {
                continue;
            }

            // Any namespace other than the Service's own sees the same aliases; "" is never a namespace.
            var entry = new Entry(
                service,
                view,
                traffic,
                VirtualHostCompiler.CompileService(service, traffic, service.Namespace, _clusterDomain),
                VirtualHostCompiler.CompileService(service, traffic, string.Empty, _clusterDomain),
                view is null ? [] : HeadlessEndpointCompiler.VirtualHosts(view, service.Namespace, _clusterDomain),
                view is null ? [] : HeadlessEndpointCompiler.VirtualHosts(view, string.Empty, _clusterDomain));
            _byService[key] = had ? KeepUnchanged(cached!, entry) : entry;
        }
    }

    /// <summary>
    /// Keeps the previous instances of hosts that came out the same (a policy change replaces the Service's traffic
    /// but not its routes), so sidecars are not sent what they already have.
    /// </summary>
    private static Entry KeepUnchanged(Entry cached, Entry fresh) => fresh with
    {
        Local = Same(cached.Local, fresh.Local),
        Remote = Same(cached.Remote, fresh.Remote),
        LocalEndpoints = Same(cached.LocalEndpoints, fresh.LocalEndpoints),
        RemoteEndpoints = Same(cached.RemoteEndpoints, fresh.RemoteEndpoints),
    };

    private static ImmutableArray<VirtualHost> Same(ImmutableArray<VirtualHost> cached, ImmutableArray<VirtualHost> fresh) =>
        cached.SequenceEqual(fresh) ? cached : fresh;

    private sealed record Entry(
        MeshService Service,
        ServiceView? HeadlessView,
        ServiceTraffic Traffic,
        ImmutableArray<VirtualHost> Local,
        ImmutableArray<VirtualHost> Remote,
        ImmutableArray<VirtualHost> LocalEndpoints,
        ImmutableArray<VirtualHost> RemoteEndpoints);
}

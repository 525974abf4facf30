using System.Collections.Immutable;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// Compiles (mesh index, proxy identity) into a <see cref="ProxyConfig"/>. The output is a pure function of
/// the inputs; the caches only make it cheap: clusters are shared by every sidecar and rebuilt per Service
/// only when that Service's view changed, virtual hosts are shared by every sidecar of a namespace and
/// rebuilt only when a Service changed.
/// </summary>
internal sealed class MeshConfigCompiler
{
    private readonly string _clusterDomain;
    private readonly Lock _lock = new();

    // All guarded by _lock.
    private readonly Dictionary<ResourceKey, (ServiceView View, ServiceTraffic Traffic, ImmutableArray<Cluster> Clusters)> _clustersByService = [];
    private readonly SortedDictionary<string, Cluster> _clustersByName = new(StringComparer.Ordinal);
    private MeshIndex? _clustersIndex;
    private ImmutableArray<Cluster> _allClusters = [];
    private readonly Dictionary<ResourceKey, (ServiceView View, Protocol.V1.DnsService Dns)> _dnsByService = [];
    private readonly SortedDictionary<string, Protocol.V1.DnsService> _dnsByKey = new(StringComparer.Ordinal);
    private ImmutableArray<Protocol.V1.DnsService> _allDns = [];
    private DnsZone _dnsZone = new();
    private readonly VirtualHostTable _virtualHosts;
    private readonly AuthorizationCompiler _authorization;

    public MeshConfigCompiler(string clusterDomain = MeshNames.DefaultClusterDomain, string trustDomain = AuthorizationCompiler.DefaultTrustDomain)
    {
        _clusterDomain = clusterDomain;
        _authorization = new AuthorizationCompiler(trustDomain);
        _virtualHosts = new VirtualHostTable(clusterDomain);
    }

    /// <summary>The cluster domain names are built with ("cluster.local").</summary>
    public string ClusterDomain => _clusterDomain;

    /// <summary>The cluster DNS part of the config, the same for every sidecar: the control plane's DNS listener serves it too.</summary>
    public (ImmutableArray<Protocol.V1.DnsService> Services, DnsZone Zone) CompileDns(MeshIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        lock (_lock)
        {
            ClustersLocked(index);
            return (_allDns, _dnsZone);
        }
    }

    /// <summary>How many Services had their clusters (re)built: lets tests prove one change does not recompile the world.</summary>
    public int ServiceCompilations { get; private set; }

    public ProxyConfig Compile(MeshIndex index, ProxyIdentity proxy)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(proxy);
        lock (_lock)
        {
            var clusters = ClustersLocked(index);
            return new ProxyConfig(_virtualHosts.For(index, proxy.Namespace), clusters, InboundCompiler.Compile(proxy, index.Authorization, _authorization))
            {
                DnsServices = _allDns,
                DnsZone = _dnsZone,
                Telemetry = TelemetryCompiler.Compile(proxy),
            };
        }
    }

    private ImmutableArray<Cluster> ClustersLocked(MeshIndex index)
    {
        if (ReferenceEquals(index, _clustersIndex))
        {
            return _allClusters;
        }

        var changed = false;
        var dnsChanged = false;
        if (_clustersIndex is not null && index.BaseVersion == _clustersIndex.Snapshot.Version)
        {
            // The index was updated from the one compiled last: only its changed Services need a look.
            foreach (var key in index.ChangedServices)
            {
                changed |= RefreshLocked(key, index.Services.GetValueOrDefault(key), index.Traffic.For(key));
                dnsChanged |= RefreshDnsLocked(key, index.Services.GetValueOrDefault(key));
            }
        }
        else
        {
            foreach (var key in _clustersByService.Keys.Union(_dnsByService.Keys).Where(k => !index.Services.ContainsKey(k)).ToList())
            {
                changed |= RefreshLocked(key, null, ServiceTraffic.None);
                dnsChanged |= RefreshDnsLocked(key, null);
            }

            foreach (var (key, view) in index.Services)
            {
                changed |= RefreshLocked(key, view, index.Traffic.For(key));
                dnsChanged |= RefreshDnsLocked(key, view);
            }
        }

        // A new array only when some cluster really changed: the cache relies on that to skip sidecars cheaply.
        if (changed)
        {
            _allClusters = [.. _clustersByName.Values];
        }

        if (dnsChanged)
        {
            _allDns = [.. _dnsByKey.Values];
        }

        var zone = DnsCompiler.Zone(index.Snapshot, _clusterDomain);
        if (!zone.Equals(_dnsZone))
        {
            _dnsZone = zone;
        }

        _clustersIndex = index;
        return _allClusters;
    }

    /// <summary>Brings one Service's clusters up to date; returns whether any cluster was added, removed or changed.</summary>
    private bool RefreshLocked(ResourceKey key, ServiceView? view, ServiceTraffic traffic)
    {
        var had = _clustersByService.TryGetValue(key, out var cached);
        if (had && ReferenceEquals(cached.View, view) && ReferenceEquals(cached.Traffic, traffic))
        {
            return false;
        }

        var clusters = view is null ? [] : ClusterCompiler.Compile(view, traffic, _clusterDomain);
        if (view is not null)
        {
            ServiceCompilations++;
        }

        if (had && clusters.SequenceEqual(cached.Clusters))
        {
            // Same content (a change that did not touch this Service's endpoints, or only a route's weights): keep the old instances.
            _clustersByService[key] = (view!, traffic, cached.Clusters);
            return false;
        }

        if (had)
        {
            foreach (var cluster in cached.Clusters)
            {
                _clustersByName.Remove(cluster.Name);
            }

            _clustersByService.Remove(key);
        }

        if (view is not null)
        {
            foreach (var cluster in clusters)
            {
                _clustersByName[cluster.Name] = cluster;
            }

            _clustersByService[key] = (view, traffic, clusters);
        }

        return had || !clusters.IsEmpty;
    }

    /// <summary>Brings one Service's DNS entry up to date; returns whether it was added, removed or changed.</summary>
    private bool RefreshDnsLocked(ResourceKey key, ServiceView? view)
    {
        var had = _dnsByService.TryGetValue(key, out var cached);
        if (had && ReferenceEquals(cached.View, view))
        {
            return false;
        }

        if (view is null)
        {
            _dnsByService.Remove(key);
            return had && _dnsByKey.Remove(cached.Dns.Key);
        }

        var dns = DnsCompiler.Compile(view);
        if (had && dns.Equals(cached.Dns))
        {
            // An endpoint change that DNS does not show (a ClusterIP Service's endpoints): keep the old instance.
            _dnsByService[key] = (view, cached.Dns);
            return false;
        }

        _dnsByService[key] = (view, dns);
        _dnsByKey[dns.Key] = dns;
        return true;
    }
}

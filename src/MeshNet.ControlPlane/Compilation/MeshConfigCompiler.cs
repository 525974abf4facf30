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
    private readonly Dictionary<ResourceKey, (ServiceView View, ImmutableArray<Cluster> Clusters)> _clustersByService = [];
    private readonly SortedDictionary<string, Cluster> _clustersByName = new(StringComparer.Ordinal);
    private MeshIndex? _clustersIndex;
    private ImmutableArray<Cluster> _allClusters = [];
    private long _virtualHostsGeneration = -1;
    private readonly Dictionary<string, ImmutableArray<VirtualHost>> _virtualHostsByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<ResourceKey, (MeshService Service, ImmutableArray<VirtualHost> Local, ImmutableArray<VirtualHost> Remote)> _hostsByService = [];

    public MeshConfigCompiler(string clusterDomain = MeshNames.DefaultClusterDomain)
    {
        _clusterDomain = clusterDomain;
    }

    /// <summary>How many Services had their clusters (re)built: lets tests prove one change does not recompile the world.</summary>
    public int ServiceCompilations { get; private set; }

    public ProxyConfig Compile(MeshIndex index, ProxyIdentity proxy)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(proxy);
        lock (_lock)
        {
            return new ProxyConfig(VirtualHostsLocked(index, proxy.Namespace), ClustersLocked(index), InboundCompiler.Compile(proxy));
        }
    }

    private ImmutableArray<Cluster> ClustersLocked(MeshIndex index)
    {
        if (ReferenceEquals(index, _clustersIndex))
        {
            return _allClusters;
        }

        var changed = false;
        if (_clustersIndex is not null && index.BaseVersion == _clustersIndex.Snapshot.Version)
        {
            // The index was updated from the one compiled last: only its changed Services need a look.
            foreach (var key in index.ChangedServices)
            {
                changed |= RefreshLocked(key, index.Services.GetValueOrDefault(key));
            }
        }
        else
        {
            foreach (var key in _clustersByService.Keys.Where(k => !index.Services.ContainsKey(k)).ToList())
            {
                changed |= RefreshLocked(key, null);
            }

            foreach (var (key, view) in index.Services)
            {
                changed |= RefreshLocked(key, view);
            }
        }

        // A new array only when some cluster really changed: the cache relies on that to skip sidecars cheaply.
        if (changed)
        {
            _allClusters = [.. _clustersByName.Values];
        }

        _clustersIndex = index;
        return _allClusters;
    }

    /// <summary>Brings one Service's clusters up to date; returns whether any cluster was added, removed or changed.</summary>
    private bool RefreshLocked(ResourceKey key, ServiceView? view)
    {
        var had = _clustersByService.TryGetValue(key, out var cached);
        if (had && ReferenceEquals(cached.View, view))
        {
            return false;
        }

        var clusters = view is null ? [] : ClusterCompiler.Compile(view, _clusterDomain);
        if (view is not null)
        {
            ServiceCompilations++;
        }

        if (had && clusters.SequenceEqual(cached.Clusters))
        {
            // Same content (a change that did not touch this Service's endpoints): keep the old instances.
            _clustersByService[key] = (view!, cached.Clusters);
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

            _clustersByService[key] = (view, clusters);
        }

        return had || !clusters.IsEmpty;
    }

    private ImmutableArray<VirtualHost> VirtualHostsLocked(MeshIndex index, string clientNamespace)
    {
        if (index.ServicesGeneration != _virtualHostsGeneration)
        {
            RefreshServiceHostsLocked(index);
            _virtualHostsByNamespace.Clear();
            _virtualHostsGeneration = index.ServicesGeneration;
        }

        if (!_virtualHostsByNamespace.TryGetValue(clientNamespace, out var hosts))
        {
            var list = new List<VirtualHost>();
            foreach (var entry in _hostsByService.Values)
            {
                list.AddRange(string.Equals(entry.Service.Namespace, clientNamespace, StringComparison.Ordinal) ? entry.Local : entry.Remote);
            }

            list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            hosts = [.. list];
            _virtualHostsByNamespace[clientNamespace] = hosts;
        }

        return hosts;
    }

    /// <summary>
    /// Keeps each Service's two virtual-host variants (for clients in its own namespace and elsewhere) while the
    /// Service is unchanged, so a namespace's rebuilt table shares instances and deltas compare by reference.
    /// </summary>
    private void RefreshServiceHostsLocked(MeshIndex index)
    {
        var services = index.Snapshot.Services;
        foreach (var key in _hostsByService.Keys.Where(k => !services.ContainsKey(k)).ToList())
        {
            _hostsByService.Remove(key);
        }

        foreach (var (key, service) in services)
        {
            if (_hostsByService.TryGetValue(key, out var cached) && ReferenceEquals(cached.Service, service))
            {
                continue;
            }

            // Any namespace other than the Service's own sees the same aliases; "" is never a namespace.
            _hostsByService[key] = (
                service,
                VirtualHostCompiler.CompileService(service, service.Namespace, _clusterDomain),
                VirtualHostCompiler.CompileService(service, string.Empty, _clusterDomain));
        }
    }
}

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
    private Dictionary<ResourceKey, (ServiceView View, ImmutableArray<Cluster> Clusters)> _clustersByService = [];
    private MeshIndex? _clustersIndex;
    private ImmutableArray<Cluster> _allClusters = [];
    private long _virtualHostsGeneration = -1;
    private readonly Dictionary<string, ImmutableArray<VirtualHost>> _virtualHostsByNamespace = new(StringComparer.Ordinal);

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

        var next = new Dictionary<ResourceKey, (ServiceView, ImmutableArray<Cluster>)>(index.Services.Count);
        foreach (var (key, view) in index.Services)
        {
            if (_clustersByService.TryGetValue(key, out var cached) && ReferenceEquals(cached.View, view))
            {
                next[key] = cached;
                continue;
            }

            ServiceCompilations++;
            next[key] = (view, ClusterCompiler.Compile(view, _clusterDomain));
        }

        var all = next.Values.SelectMany(v => v.Item2).ToList();
        all.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));

        // Keep the previous array when nothing changed, so equal configs stay cheap to compare.
        var allClusters = all.SequenceEqual(_allClusters) ? _allClusters : [.. all];
        _clustersByService = next;
        _clustersIndex = index;
        _allClusters = allClusters;
        return allClusters;
    }

    private ImmutableArray<VirtualHost> VirtualHostsLocked(MeshIndex index, string clientNamespace)
    {
        if (index.ServicesGeneration != _virtualHostsGeneration)
        {
            _virtualHostsByNamespace.Clear();
            _virtualHostsGeneration = index.ServicesGeneration;
        }

        if (!_virtualHostsByNamespace.TryGetValue(clientNamespace, out var hosts))
        {
            hosts = VirtualHostCompiler.Compile(index.Snapshot.Services.Values, clientNamespace, _clusterDomain);
            _virtualHostsByNamespace[clientNamespace] = hosts;
        }

        return hosts;
    }
}

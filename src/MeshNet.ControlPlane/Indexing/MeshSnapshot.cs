using System.Collections.Frozen;
using System.Collections.Immutable;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>
/// Every mesh resource at one moment, immutable and versioned. A batch of changes produces a new snapshot;
/// readers holding the old one are never affected.
/// </summary>
internal sealed class MeshSnapshot
{
    private MeshSnapshot(
        long version,
        FrozenDictionary<ResourceKey, MeshService> services,
        FrozenDictionary<ResourceKey, Workload> workloads,
        FrozenDictionary<ResourceKey, EndpointSet> endpointSets,
        FrozenDictionary<ResourceKey, MeshNamespace> namespaces)
    {
        Version = version;
        Services = services;
        Workloads = workloads;
        EndpointSets = endpointSets;
        Namespaces = namespaces;
        WorkloadsByNamespace = workloads.Values
            .GroupBy(w => w.Namespace, StringComparer.Ordinal)
            .ToFrozenDictionary(
                g => g.Key,
                g => g.OrderBy(w => w.Key, ResourceKey.Ordinal).ToImmutableArray(),
                StringComparer.Ordinal);
        SidecarsByAddress = workloads.Values
            .Where(w => w.HasSidecar && w.Address.Length > 0)
            .GroupBy(w => w.Address, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(w => w.Key, ResourceKey.Ordinal).First(), StringComparer.Ordinal);
    }

    public static MeshSnapshot Empty { get; } = new(
        0,
        FrozenDictionary<ResourceKey, MeshService>.Empty,
        FrozenDictionary<ResourceKey, Workload>.Empty,
        FrozenDictionary<ResourceKey, EndpointSet>.Empty,
        FrozenDictionary<ResourceKey, MeshNamespace>.Empty);

    public long Version { get; }

    public FrozenDictionary<ResourceKey, MeshService> Services { get; }

    /// <summary>Pods from manifests and registered sidecars.</summary>
    public FrozenDictionary<ResourceKey, Workload> Workloads { get; }

    public FrozenDictionary<ResourceKey, EndpointSet> EndpointSets { get; }

    public FrozenDictionary<ResourceKey, MeshNamespace> Namespaces { get; }

    /// <summary>Workloads per namespace in key order, for selector matching.</summary>
    public FrozenDictionary<string, ImmutableArray<Workload>> WorkloadsByNamespace { get; }

    /// <summary>Sidecar-carrying workloads by address, so EndpointSlice addresses of meshed pods go through their sidecar.</summary>
    public FrozenDictionary<string, Workload> SidecarsByAddress { get; }

    public ImmutableArray<Workload> WorkloadsIn(string ns) =>
        WorkloadsByNamespace.TryGetValue(ns, out var list) ? list : ImmutableArray<Workload>.Empty;

    /// <summary>Applies a batch; unknown kinds are ignored. The version goes up by one per applied batch.</summary>
    public MeshSnapshot Apply(IReadOnlyList<ResourceChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var services = Services.ToDictionary();
        var workloads = Workloads.ToDictionary();
        var endpointSets = EndpointSets.ToDictionary();
        var namespaces = Namespaces.ToDictionary();
        foreach (var change in changes)
        {
            Set(services, change);
            Set(workloads, change);
            Set(endpointSets, change);
            Set(namespaces, change);
        }

        return new MeshSnapshot(
            Version + 1,
            services.ToFrozenDictionary(),
            workloads.ToFrozenDictionary(),
            endpointSets.ToFrozenDictionary(),
            namespaces.ToFrozenDictionary());
    }

    private static void Set<T>(Dictionary<ResourceKey, T> target, ResourceChange change)
        where T : MeshResource
    {
        if (change.Current is T current)
        {
            target[change.Key] = current;
        }
        else if (change.Previous is T)
        {
            target.Remove(change.Key);
        }
    }
}

using System.Collections.Immutable;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using MeshNet.Model.Security;
using MeshNet.Model.Traffic;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>
/// Every mesh resource at one moment, immutable and versioned. A batch of changes produces a new snapshot;
/// readers holding the old one are never affected. Persistent dictionaries make applying a batch cost
/// O(changes · log n) rather than O(mesh), and the secondary indexes keep selector matching from scanning
/// every workload of a namespace (one namespace may hold tens of thousands of pods).
/// </summary>
internal sealed partial class MeshSnapshot
{
    private static readonly ImmutableHashSet<ResourceKey> NoKeys = ImmutableHashSet<ResourceKey>.Empty;

    private readonly ImmutableDictionary<LabelPair, ImmutableHashSet<ResourceKey>> _workloadsByLabel;
    private readonly ImmutableDictionary<LabelPair, ImmutableHashSet<ResourceKey>> _servicesBySelectorPair;
    private readonly ImmutableDictionary<(string Namespace, string Service), ImmutableHashSet<ResourceKey>> _endpointSetsByService;
    private readonly ImmutableDictionary<string, ImmutableHashSet<ResourceKey>> _sidecarsByAddress;

    private MeshSnapshot(
        long version,
        ImmutableDictionary<ResourceKey, MeshService> services,
        ImmutableDictionary<ResourceKey, Workload> workloads,
        ImmutableDictionary<ResourceKey, EndpointSet> endpointSets,
        ImmutableDictionary<ResourceKey, MeshNamespace> namespaces,
        ImmutableHashSet<ResourceKey> selectorlessServices,
        ImmutableDictionary<LabelPair, ImmutableHashSet<ResourceKey>> workloadsByLabel,
        ImmutableDictionary<LabelPair, ImmutableHashSet<ResourceKey>> servicesBySelectorPair,
        ImmutableDictionary<(string Namespace, string Service), ImmutableHashSet<ResourceKey>> endpointSetsByService,
        ImmutableDictionary<string, ImmutableHashSet<ResourceKey>> sidecarsByAddress)
    {
        Version = version;
        Services = services;
        Workloads = workloads;
        EndpointSets = endpointSets;
        Namespaces = namespaces;
        SelectorlessServices = selectorlessServices;
        _workloadsByLabel = workloadsByLabel;
        _servicesBySelectorPair = servicesBySelectorPair;
        _endpointSetsByService = endpointSetsByService;
        _sidecarsByAddress = sidecarsByAddress;
    }

    public static MeshSnapshot Empty { get; } = new(
        0,
        ImmutableDictionary<ResourceKey, MeshService>.Empty,
        ImmutableDictionary<ResourceKey, Workload>.Empty,
        ImmutableDictionary<ResourceKey, EndpointSet>.Empty,
        ImmutableDictionary<ResourceKey, MeshNamespace>.Empty,
        NoKeys,
        ImmutableDictionary<LabelPair, ImmutableHashSet<ResourceKey>>.Empty,
        ImmutableDictionary<LabelPair, ImmutableHashSet<ResourceKey>>.Empty,
        ImmutableDictionary<(string, string), ImmutableHashSet<ResourceKey>>.Empty,
        ImmutableDictionary<string, ImmutableHashSet<ResourceKey>>.Empty.WithComparers(StringComparer.Ordinal));

    public long Version { get; }

    public ImmutableDictionary<ResourceKey, MeshService> Services { get; }

    /// <summary>Pods from manifests and registered sidecars.</summary>
    public ImmutableDictionary<ResourceKey, Workload> Workloads { get; }

    public ImmutableDictionary<ResourceKey, EndpointSet> EndpointSets { get; }

    public ImmutableDictionary<ResourceKey, MeshNamespace> Namespaces { get; }

    /// <summary>TrafficPolicies and TrafficRoutes as the sources last gave them (accepted or not: the index decides).</summary>
    public ImmutableDictionary<ResourceKey, MeshResource> Traffic { get; private init; } = ImmutableDictionary<ResourceKey, MeshResource>.Empty;

    /// <summary>AuthorizationPolicies as the sources last gave them (accepted or not: the index decides).</summary>
    public ImmutableDictionary<ResourceKey, AuthorizationPolicy> Authorization { get; private init; } = ImmutableDictionary<ResourceKey, AuthorizationPolicy>.Empty;

    /// <summary>Services without a selector: their endpoints come from EndpointSlices.</summary>
    public ImmutableHashSet<ResourceKey> SelectorlessServices { get; }

    /// <summary>Workloads in <paramref name="ns"/> whose labels match <paramref name="selector"/>, in key order.</summary>
    public IReadOnlyList<Workload> WorkloadsSelectedBy(string ns, IReadOnlyDictionary<string, string> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ImmutableHashSet<ResourceKey>? smallest = null;
        foreach (var (key, value) in selector)
        {
            if (!_workloadsByLabel.TryGetValue(new LabelPair(ns, key, value), out var keys))
            {
                return [];
            }

            if (smallest is null || keys.Count < smallest.Count)
            {
                smallest = keys;
            }
        }

        if (smallest is null)
        {
            return [];
        }

        var result = new List<Workload>(smallest.Count);
        foreach (var key in smallest)
        {
            var workload = Workloads[key];
            if (LabelSelector.Matches(selector, workload.Labels))
            {
                result.Add(workload);
            }
        }

        result.Sort(static (a, b) => ResourceKey.Ordinal.Compare(a.Key, b.Key));
        return result;
    }

    /// <summary>Keys of the selector Services that select <paramref name="workload"/>.</summary>
    public IEnumerable<ResourceKey> ServicesSelecting(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        foreach (var (key, value) in workload.Labels)
        {
            if (!_servicesBySelectorPair.TryGetValue(new LabelPair(workload.Namespace, key, value), out var services))
            {
                continue;
            }

            foreach (var serviceKey in services)
            {
                if (Services.TryGetValue(serviceKey, out var service) &&
                    service.Selector is { Count: > 0 } selector &&
                    LabelSelector.Matches(selector, workload.Labels))
                {
                    yield return serviceKey;
                }
            }
        }
    }

    /// <summary>The EndpointSlices labelled with the Service's name, in key order.</summary>
    public IReadOnlyList<EndpointSet> EndpointSetsFor(string ns, string service) =>
        _endpointSetsByService.TryGetValue((ns, service), out var keys)
            ? [.. keys.Order(ResourceKey.Ordinal).Select(k => EndpointSets[k])]
            : [];

    /// <summary>The sidecar-carrying workload at an address (the first by key if several claim it), or null.</summary>
    public Workload? SidecarAt(string address) =>
        _sidecarsByAddress.TryGetValue(address, out var keys) && !keys.IsEmpty
            ? Workloads[keys.Order(ResourceKey.Ordinal).First()]
            : null;

    /// <summary>Applies a batch; unknown kinds are ignored. The version goes up by one per applied batch.</summary>
    public MeshSnapshot Apply(IReadOnlyList<ResourceChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);

        // Persistent updates cost a few allocations each; for the initial load (tens of thousands of resources)
        // building plain collections and freezing them once is an order of magnitude faster.
        return changes.Count > 1024 && changes.Count * 4 > Workloads.Count + Services.Count
            ? Rebuild(changes)
            : ApplyIncrementally(changes);
    }

    private MeshSnapshot ApplyIncrementally(IReadOnlyList<ResourceChange> changes)
    {
        var services = Services.ToBuilder();
        var workloads = Workloads.ToBuilder();
        var endpointSets = EndpointSets.ToBuilder();
        var namespaces = Namespaces.ToBuilder();
        var traffic = Traffic.ToBuilder();
        var authorization = Authorization.ToBuilder();
        var selectorless = SelectorlessServices.ToBuilder();
        var byLabel = _workloadsByLabel.ToBuilder();
        var bySelector = _servicesBySelectorPair.ToBuilder();
        var byService = _endpointSetsByService.ToBuilder();
        var byAddress = _sidecarsByAddress.ToBuilder();
        foreach (var change in changes)
        {
            switch (change.Previous)
            {
                case MeshService old:
                    services.Remove(old.Key);
                    selectorless.Remove(old.Key);
                    if (FirstPair(old) is { } oldPair)
                    {
                        RemoveFrom(bySelector, oldPair, old.Key);
                    }

                    break;
                case Workload old:
                    workloads.Remove(old.Key);
                    foreach (var (key, value) in old.Labels)
                    {
                        RemoveFrom(byLabel, new LabelPair(old.Namespace, key, value), old.Key);
                    }

                    if (old.HasSidecar)
                    {
                        RemoveFrom(byAddress, old.Address, old.Key);
                    }

                    break;
                case EndpointSet old:
                    endpointSets.Remove(old.Key);
                    RemoveFrom(byService, (old.Namespace, old.ServiceName), old.Key);
                    break;
                case MeshNamespace old:
                    namespaces.Remove(old.Key);
                    break;
                case TrafficPolicy or TrafficRoute:
                    traffic.Remove(change.Key);
                    break;
                case AuthorizationPolicy:
                    authorization.Remove(change.Key);
                    break;
                default:
                    break;
            }

            switch (change.Current)
            {
                case MeshService current:
                    services[current.Key] = current;
                    if (FirstPair(current) is { } pair)
                    {
                        AddTo(bySelector, pair, current.Key);
                    }
                    else
                    {
                        selectorless.Add(current.Key);
                    }

                    break;
                case Workload current:
                    workloads[current.Key] = current;
                    foreach (var (key, value) in current.Labels)
                    {
                        AddTo(byLabel, new LabelPair(current.Namespace, key, value), current.Key);
                    }

                    if (current.HasSidecar)
                    {
                        AddTo(byAddress, current.Address, current.Key);
                    }

                    break;
                case EndpointSet current:
                    endpointSets[current.Key] = current;
                    AddTo(byService, (current.Namespace, current.ServiceName), current.Key);
                    break;
                case MeshNamespace current:
                    namespaces[current.Key] = current;
                    break;
                case TrafficPolicy or TrafficRoute:
                    traffic[change.Key] = change.Current;
                    break;
                case AuthorizationPolicy current:
                    authorization[current.Key] = current;
                    break;
                default:
                    break;
            }
        }

        return new MeshSnapshot(
            Version + 1,
            services.ToImmutable(),
            workloads.ToImmutable(),
            endpointSets.ToImmutable(),
            namespaces.ToImmutable(),
            selectorless.ToImmutable(),
            byLabel.ToImmutable(),
            bySelector.ToImmutable(),
            byService.ToImmutable(),
            byAddress.ToImmutable())
        {
            Traffic = traffic.ToImmutable(),
            Authorization = authorization.ToImmutable(),
        };
    }

    /// <summary>
    /// A selector Service is indexed under one of its pairs (the ordinal first): every workload it selects
    /// carries that pair, so looking up a workload's own pairs finds every Service that may select it.
    /// </summary>
    private static LabelPair? FirstPair(MeshService service)
    {
        if (service.Selector is not { Count: > 0 } selector)
        {
            return null;
        }

        var first = selector.MinBy(p => p.Key, StringComparer.Ordinal);
        return new LabelPair(service.Namespace, first.Key, first.Value);
    }

    private static void AddTo<TKey>(ImmutableDictionary<TKey, ImmutableHashSet<ResourceKey>>.Builder index, TKey key, ResourceKey value)
        where TKey : notnull =>
        index[key] = (index.TryGetValue(key, out var set) ? set : NoKeys).Add(value);

    private static void RemoveFrom<TKey>(ImmutableDictionary<TKey, ImmutableHashSet<ResourceKey>>.Builder index, TKey key, ResourceKey value)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var set))
        {
            return;
        }

        set = set.Remove(value);
        if (set.IsEmpty)
        {
            index.Remove(key);
        }
        else
        {
            index[key] = set;
        }
    }

    private readonly record struct LabelPair(string Namespace, string Key, string Value);
}

using System.Collections.Immutable;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using MeshNet.Model.Security;
using MeshNet.Model.Traffic;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>The bulk path of <see cref="Apply"/>: a whole snapshot built from plain collections and frozen once.</summary>
internal sealed partial class MeshSnapshot
{
    private MeshSnapshot Rebuild(IReadOnlyList<ResourceChange> changes)
    {
        var all = new Dictionary<ResourceKey, MeshResource>(Services.Count + Workloads.Count + EndpointSets.Count + Namespaces.Count + changes.Count);
        foreach (var resource in Services.Values.Concat<MeshResource>(Workloads.Values).Concat(EndpointSets.Values).Concat(Namespaces.Values).Concat(Traffic.Values).Concat(Authorization.Values))
        {
            all[resource.Key] = resource;
        }

        foreach (var change in changes)
        {
            if (change.Current is { } current)
            {
                all[change.Key] = current;
            }
            else
            {
                all.Remove(change.Key);
            }
        }

        var services = new Dictionary<ResourceKey, MeshService>();
        var workloads = new Dictionary<ResourceKey, Workload>();
        var endpointSets = new Dictionary<ResourceKey, EndpointSet>();
        var namespaces = new Dictionary<ResourceKey, MeshNamespace>();
        var traffic = new Dictionary<ResourceKey, MeshResource>();
        var authorization = new Dictionary<ResourceKey, AuthorizationPolicy>();
        var selectorless = new HashSet<ResourceKey>();
        var byLabel = new Dictionary<LabelPair, HashSet<ResourceKey>>();
        var bySelector = new Dictionary<LabelPair, HashSet<ResourceKey>>();
        var byService = new Dictionary<(string Namespace, string Service), HashSet<ResourceKey>>();
        var byAddress = new Dictionary<string, HashSet<ResourceKey>>(StringComparer.Ordinal);
        foreach (var resource in all.Values)
        {
            switch (resource)
            {
                case MeshService service:
                    services[service.Key] = service;
                    if (FirstPair(service) is { } pair)
                    {
                        Bucket(bySelector, pair).Add(service.Key);
                    }
                    else
                    {
                        selectorless.Add(service.Key);
                    }

                    break;
                case Workload workload:
                    workloads[workload.Key] = workload;
                    foreach (var (key, value) in workload.Labels)
                    {
                        Bucket(byLabel, new LabelPair(workload.Namespace, key, value)).Add(workload.Key);
                    }

                    if (workload.HasSidecar)
                    {
                        Bucket(byAddress, workload.Address).Add(workload.Key);
                    }

                    break;
                case EndpointSet set:
                    endpointSets[set.Key] = set;
                    Bucket(byService, (set.Namespace, set.ServiceName)).Add(set.Key);
                    break;
                case MeshNamespace ns:
                    namespaces[ns.Key] = ns;
                    break;
                case TrafficPolicy or TrafficRoute:
                    traffic[resource.Key] = resource;
                    break;
                case AuthorizationPolicy policy:
                    authorization[policy.Key] = policy;
                    break;
                default:
                    break;
            }
        }

        return new MeshSnapshot(
            Version + 1,
            services.ToImmutableDictionary(),
            workloads.ToImmutableDictionary(),
            endpointSets.ToImmutableDictionary(),
            namespaces.ToImmutableDictionary(),
            selectorless.ToImmutableHashSet(),
            Freeze(byLabel),
            Freeze(bySelector),
            Freeze(byService),
            Freeze(byAddress).WithComparers(StringComparer.Ordinal))
        {
            Traffic = traffic.ToImmutableDictionary(),
            Authorization = authorization.ToImmutableDictionary(),
        };
    }

    private static HashSet<ResourceKey> Bucket<TKey>(Dictionary<TKey, HashSet<ResourceKey>> index, TKey key)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var bucket))
        {
            bucket = [];
            index[key] = bucket;
        }

        return bucket;
    }

    private static ImmutableDictionary<TKey, ImmutableHashSet<ResourceKey>> Freeze<TKey>(Dictionary<TKey, HashSet<ResourceKey>> index)
        where TKey : notnull =>
        index.ToImmutableDictionary(e => e.Key, e => e.Value.ToImmutableHashSet());
}

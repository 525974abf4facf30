using System.Collections.Frozen;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>
/// A snapshot plus every Service's resolved endpoints. Updating re-resolves only the Services a batch can
/// affect; the others keep their <see cref="ServiceView"/> instance, which is what lets the compiler reuse
/// their clusters.
/// </summary>
internal sealed class MeshIndex
{
    private MeshIndex(MeshSnapshot snapshot, FrozenDictionary<ResourceKey, ServiceView> services, long servicesGeneration)
    {
        Snapshot = snapshot;
        Services = services;
        ServicesGeneration = servicesGeneration;
    }

    public static MeshIndex Empty { get; } = new(MeshSnapshot.Empty, FrozenDictionary<ResourceKey, ServiceView>.Empty, 0);

    public MeshSnapshot Snapshot { get; }

    public FrozenDictionary<ResourceKey, ServiceView> Services { get; }

    /// <summary>Goes up whenever a Service resource itself changed (virtual hosts depend on nothing else).</summary>
    public long ServicesGeneration { get; }

    public static MeshIndex Build(MeshSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var services = snapshot.Services.ToFrozenDictionary(s => s.Key, s => EndpointResolver.Resolve(s.Value, snapshot));
        return new MeshIndex(snapshot, services, snapshot.Version);
    }

    /// <summary>The index for <paramref name="next"/>, which is this index's snapshot with <paramref name="changes"/> applied.</summary>
    public MeshIndex Update(MeshSnapshot next, IReadOnlyList<ResourceChange> changes)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(changes);
        var affected = new HashSet<ResourceKey>();
        var servicesChanged = false;
        var sidecarsChanged = false;
        foreach (var change in changes)
        {
            switch (change.Current ?? change.Previous)
            {
                case MeshService:
                    servicesChanged = true;
                    affected.Add(change.Key);
                    break;
                case Workload:
                    sidecarsChanged |= change.Previous is Workload { HasSidecar: true } || change.Current is Workload { HasSidecar: true };
                    AddSelectedBy(next, change.Previous as Workload, affected);
                    AddSelectedBy(next, change.Current as Workload, affected);
                    break;
                case EndpointSet:
                    AddOwner(change.Previous as EndpointSet, affected);
                    AddOwner(change.Current as EndpointSet, affected);
                    break;
                default:
                    break;
            }
        }

        if (sidecarsChanged)
        {
            // EndpointSlice addresses are mapped to sidecars by address; sidecars are few, so re-resolve all
            // selector-less Services rather than tracking which address moved.
            foreach (var service in next.Services.Values)
            {
                if (service.Selector is not { Count: > 0 })
                {
                    affected.Add(service.Key);
                }
            }
        }

        var services = new Dictionary<ResourceKey, ServiceView>(next.Services.Count);
        foreach (var (key, service) in next.Services)
        {
            services[key] = !affected.Contains(key) && Services.TryGetValue(key, out var view)
                ? view
                : EndpointResolver.Resolve(service, next);
        }

        return new MeshIndex(next, services.ToFrozenDictionary(), servicesChanged ? next.Version : ServicesGeneration);
    }

    private static void AddSelectedBy(MeshSnapshot snapshot, Workload? workload, HashSet<ResourceKey> affected)
    {
        if (workload is null)
        {
            return;
        }

        foreach (var service in snapshot.Services.Values)
        {
            if (string.Equals(service.Namespace, workload.Namespace, StringComparison.Ordinal) &&
                service.Selector is { Count: > 0 } selector &&
                LabelSelector.Matches(selector, workload.Labels))
            {
                affected.Add(service.Key);
            }
        }
    }

    private static void AddOwner(EndpointSet? set, HashSet<ResourceKey> affected)
    {
        if (set is not null)
        {
            affected.Add(new ResourceKey(ResourceKinds.Service, set.Namespace, set.ServiceName));
        }
    }
}

using System.Collections.Immutable;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using MeshNet.Model.Traffic;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>
/// A snapshot plus every Service's resolved endpoints. Updating re-resolves only the Services a batch can
/// affect; the others keep their <see cref="ServiceView"/> instance, which is what lets the compiler reuse
/// their clusters.
/// </summary>
internal sealed class MeshIndex
{
    private MeshIndex(
        MeshSnapshot snapshot,
        ImmutableDictionary<ResourceKey, ServiceView> services,
        long servicesGeneration,
        long baseVersion,
        ImmutableHashSet<ResourceKey> changedServices,
        TrafficState traffic)
    {
        Traffic = traffic;
        Snapshot = snapshot;
        Services = services;
        ServicesGeneration = servicesGeneration;
        BaseVersion = baseVersion;
        ChangedServices = changedServices;
    }

    public static MeshIndex Empty { get; } = new(
        MeshSnapshot.Empty, ImmutableDictionary<ResourceKey, ServiceView>.Empty, 0, -1, ImmutableHashSet<ResourceKey>.Empty, TrafficState.Empty);

    public MeshSnapshot Snapshot { get; }

    public ImmutableDictionary<ResourceKey, ServiceView> Services { get; }

    /// <summary>
    /// Goes up whenever a Service resource itself or the traffic resources in force for one changed (virtual hosts
    /// depend on nothing else).
    /// </summary>
    public long ServicesGeneration { get; }

    /// <summary>The snapshot version this index was updated from, or -1 when it was built from scratch.</summary>
    public long BaseVersion { get; }

    /// <summary>
    /// Services whose view was rebuilt, added or removed relative to the index at <see cref="BaseVersion"/>;
    /// a consumer that saw that index only needs to look at these.
    /// </summary>
    public ImmutableHashSet<ResourceKey> ChangedServices { get; }

    /// <summary>AuthorizationPolicies in force and Namespace security annotations, with the errors of the others.</summary>
    public AuthorizationState Authorization { get; private init; } = AuthorizationState.Empty;

    /// <summary>TrafficPolicies and TrafficRoutes: which are in force per Service, and the errors of the others.</summary>
    public TrafficState Traffic { get; }

    public static MeshIndex Build(MeshSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var services = snapshot.Services.ToImmutableDictionary(s => s.Key, s => EndpointResolver.Resolve(s.Value, snapshot));
        var traffic = TrafficState.Empty.Update(snapshot, services, snapshot.Traffic.Keys, [], out _);
        return new MeshIndex(snapshot, services, snapshot.Version, -1, [.. services.Keys], traffic)
        {
            Authorization = AuthorizationState.Empty.Update(snapshot),
        };
    }

    /// <summary>The index for <paramref name="next"/>, which is this index's snapshot with <paramref name="changes"/> applied.</summary>
    public MeshIndex Update(MeshSnapshot next, IReadOnlyList<ResourceChange> changes)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(changes);
        // Services whose view must be rebuilt (or dropped); every other view is carried over as is.
        var affected = new HashSet<ResourceKey>();
        var servicesChanged = false;
        var sidecarsChanged = false;
        var trafficChanged = new List<ResourceKey>();
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
                case TrafficPolicy or TrafficRoute:
                    trafficChanged.Add(change.Key);
                    break;
                default:
                    break;
            }
        }

        if (sidecarsChanged)
        {
            // EndpointSlice addresses are mapped to sidecars by address; sidecars come and go rarely, so
            // re-resolve the selector-less Services rather than tracking which address moved.
            affected.UnionWith(next.SelectorlessServices);
        }

        var services = Services.ToBuilder();
        foreach (var key in affected)
        {
            if (next.Services.TryGetValue(key, out var service))
            {
                services[key] = EndpointResolver.Resolve(service, next);
            }
            else
            {
                services.Remove(key);
            }
        }

        var views = services.ToImmutable();
        var traffic = Traffic.Update(next, views, trafficChanged, affected, out var trafficServices);
        affected.UnionWith(trafficServices);
        servicesChanged |= !trafficServices.IsEmpty;
        return new MeshIndex(
            next, views, servicesChanged ? next.Version : ServicesGeneration, Snapshot.Version, [.. affected], traffic)
        {
            // Policies resolve their targets through Services and read Namespace annotations; nothing else moves them.
            Authorization = changes.Any(static c => c.Key.Kind is ResourceKinds.AuthorizationPolicy or ResourceKinds.Service or ResourceKinds.Namespace)
                ? Authorization.Update(next)
                : Authorization,
        };
    }

    private static void AddSelectedBy(MeshSnapshot snapshot, Workload? workload, HashSet<ResourceKey> affected)
    {
        if (workload is not null)
        {
            affected.UnionWith(snapshot.ServicesSelecting(workload));
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

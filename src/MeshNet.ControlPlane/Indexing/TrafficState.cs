using System.Collections.Immutable;
using MeshNet.Model;
using MeshNet.Model.Traffic;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>
/// Which TrafficPolicies and TrafficRoutes are in force, per Service, and why the others are not. Immutable; an update
/// re-validates only the resources a batch can affect (their own change, or a change to a Service they name, which
/// includes that Service's workloads) and replaces a Service's <see cref="ServiceTraffic"/> only when it changed.
/// <para>
/// A resource whose current version fails validation keeps its last accepted version in force (per key), as a
/// sidecar keeps its last good config; a resource accepted for the first time takes effect at once. Two resources of
/// one kind with the same scope (Service, port) conflict: the first by name wins, the other is reported.
/// </para>
/// </summary>
internal sealed class TrafficState
{
    private static readonly ImmutableHashSet<ResourceKey> NoKeys = ImmutableHashSet<ResourceKey>.Empty;

    private readonly ImmutableDictionary<ResourceKey, ResourceError> _invalid;
    private readonly ImmutableDictionary<ResourceKey, ResourceError> _conflicts;

    // Service -> keys whose accepted version targets it.
    private readonly ImmutableDictionary<ResourceKey, ImmutableHashSet<ResourceKey>> _byTarget;

    // Service -> keys whose current or accepted version names it (as target or backend): what to re-validate when it changes.
    private readonly ImmutableDictionary<ResourceKey, ImmutableHashSet<ResourceKey>> _dependents;
    private readonly ImmutableDictionary<ResourceKey, ImmutableArray<ResourceKey>> _references;
    private ImmutableArray<ResourceError> _errors;

    private TrafficState(
        ImmutableDictionary<ResourceKey, MeshResource> accepted,
        ImmutableDictionary<ResourceKey, ServiceTraffic> byService,
        ImmutableDictionary<ResourceKey, ResourceError> invalid,
        ImmutableDictionary<ResourceKey, ResourceError> conflicts,
        ImmutableDictionary<ResourceKey, ImmutableHashSet<ResourceKey>> byTarget,
        ImmutableDictionary<ResourceKey, ImmutableHashSet<ResourceKey>> dependents,
        ImmutableDictionary<ResourceKey, ImmutableArray<ResourceKey>> references)
    {
        Accepted = accepted;
        ByService = byService;
        _invalid = invalid;
        _conflicts = conflicts;
        _byTarget = byTarget;
        _dependents = dependents;
        _references = references;
    }

    public static TrafficState Empty { get; } = new(
        ImmutableDictionary<ResourceKey, MeshResource>.Empty,
        ImmutableDictionary<ResourceKey, ServiceTraffic>.Empty,
        ImmutableDictionary<ResourceKey, ResourceError>.Empty,
        ImmutableDictionary<ResourceKey, ResourceError>.Empty,
        ImmutableDictionary<ResourceKey, ImmutableHashSet<ResourceKey>>.Empty,
        ImmutableDictionary<ResourceKey, ImmutableHashSet<ResourceKey>>.Empty,
        ImmutableDictionary<ResourceKey, ImmutableArray<ResourceKey>>.Empty);

    /// <summary>The last accepted version of every resource that has one (possibly older than its current version).</summary>
    public ImmutableDictionary<ResourceKey, MeshResource> Accepted { get; }

    /// <summary>Services with at least one resource in force.</summary>
    public ImmutableDictionary<ResourceKey, ServiceTraffic> ByService { get; }

    public ServiceTraffic For(ResourceKey service) => ByService.GetValueOrDefault(service) ?? ServiceTraffic.None;

    /// <summary>Why the resource's current version is not in force, or null when it is.</summary>
    public ResourceError? ErrorOf(ResourceKey key) => _invalid.GetValueOrDefault(key) ?? _conflicts.GetValueOrDefault(key);

    /// <summary>Every current error, ordered by resource.</summary>
    public ImmutableArray<ResourceError> Errors
    {
        get
        {
            if (_errors.IsDefault)
            {
                _errors = [.. _invalid.Keys.Union(_conflicts.Keys).Order(ResourceKey.Ordinal).Select(k => ErrorOf(k)!)];
            }

            return _errors;
        }
    }

    /// <summary>The state after <paramref name="next"/>, given the traffic resources and the Services a batch changed.</summary>
    /// <param name="views">The next index's resolved Services (subsets are checked against their endpoints).</param>
    /// <param name="changedServices">Services whose <see cref="ServiceTraffic"/> was replaced.</param>
    public TrafficState Update(
        MeshSnapshot next,
        IReadOnlyDictionary<ResourceKey, ServiceView> views,
        IEnumerable<ResourceKey> changedTraffic,
        IEnumerable<ResourceKey> affectedServices,
        out ImmutableHashSet<ResourceKey> changedServices)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(views);
        var evaluate = new SortedSet<ResourceKey>(changedTraffic, ResourceKey.Ordinal);
        foreach (var service in affectedServices)
        {
            evaluate.UnionWith(_dependents.GetValueOrDefault(service, NoKeys));
        }

        if (evaluate.Count == 0)
        {
            changedServices = NoKeys;
            return this;
        }

        var accepted = Accepted.ToBuilder();
        var invalid = _invalid.ToBuilder();
        var conflicts = _conflicts.ToBuilder();
        var byTarget = _byTarget.ToBuilder();
        var dependents = _dependents.ToBuilder();
        var references = _references.ToBuilder();
        var resolve = new SortedSet<ResourceKey>(ResourceKey.Ordinal);
        foreach (var key in evaluate)
        {
            var before = accepted.GetValueOrDefault(key);
            var current = next.Traffic.GetValueOrDefault(key);
            conflicts.Remove(key);
            if (current is null)
            {
                accepted.Remove(key);
                invalid.Remove(key);
            }
            else if (TrafficValidator.Validate(current, next, views) is { } error)
            {
                invalid[key] = error;
            }
            else
            {
                accepted[key] = current;
                invalid.Remove(key);
            }

            var after = accepted.GetValueOrDefault(key);
            if (!ReferenceEquals(before, after))
            {
                MoveTarget(byTarget, key, before, after);
            }

            AddTarget(resolve, before);
            AddTarget(resolve, after);
            Reindex(dependents, references, key, [.. References(current).Concat(References(after)).Distinct()]);
        }

        var byService = ByService.ToBuilder();
        var changed = ImmutableHashSet.CreateBuilder<ResourceKey>();
        foreach (var service in resolve)
        {
            var traffic = Resolve(service, byTarget.GetValueOrDefault(service, NoKeys), accepted, conflicts, next);
            var old = ByService.GetValueOrDefault(service) ?? ServiceTraffic.None;
            if (old.SameAs(traffic))
            {
                continue;
            }

            changed.Add(service);
            if (traffic.IsEmpty)
            {
                byService.Remove(service);
            }
            else
            {
                byService[service] = traffic;
            }
        }

        changedServices = changed.ToImmutable();
        return new TrafficState(
            accepted.ToImmutable(), byService.ToImmutable(), invalid.ToImmutable(), conflicts.ToImmutable(),
            byTarget.ToImmutable(), dependents.ToImmutable(), references.ToImmutable());
    }

    /// <summary>Settles conflicts among the accepted resources targeting one Service and finds their missing backends.</summary>
    private static ServiceTraffic Resolve(
        ResourceKey service,
        ImmutableHashSet<ResourceKey> targeting,
        ImmutableDictionary<ResourceKey, MeshResource>.Builder accepted,
        ImmutableDictionary<ResourceKey, ResourceError>.Builder conflicts,
        MeshSnapshot next)
    {
        var winners = new Dictionary<(string Kind, int? Port), MeshResource>();
        foreach (var key in targeting.Order(ResourceKey.Ordinal))
        {
            var resource = accepted[key];
            var scope = (key.Kind, Target(resource)!.Port);
            if (winners.TryGetValue(scope, out var winner))
            {
                conflicts[key] = new ResourceError(
                    TrafficValidator.Origin, null, key, "spec.targetRef", $"conflicts with {winner.Key.Kind} {winner.Namespace}/{winner.Name}");
            }
            else
            {
                winners[scope] = resource;
                conflicts.Remove(key);
            }
        }

        var ordered = winners.OrderBy(w => w.Key.Port ?? -1).Select(w => w.Value).ToList();
        var routes = ordered.OfType<TrafficRoute>().ToImmutableArray();
        return new ServiceTraffic(
            [.. ordered.OfType<TrafficPolicy>()], routes, MissingBackends(service, routes, next));
    }

    private static ImmutableArray<string> MissingBackends(ResourceKey service, ImmutableArray<TrafficRoute> routes, MeshSnapshot next)
    {
        if (routes.IsEmpty || !next.Services.TryGetValue(service, out var target))
        {
            return [];
        }

        var missing = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            var ports = route.Target.Port is { } only ? [only] : target.Ports.Select(p => p.Port);
            foreach (var backend in ServiceTraffic.BackendsOf(route))
            {
                if (backend.Service is not { } name)
                {
                    continue;
                }

                next.Services.TryGetValue(new ResourceKey(ResourceKinds.Service, service.Namespace, name), out var other);
                foreach (var port in ports.Select(p => backend.Port ?? p))
                {
                    if (other is null || other.Type == ServiceType.ExternalName || !other.Ports.Any(p => p.Port == port))
                    {
                        missing.Add(ServiceTraffic.BackendName(name, port));
                    }
                }
            }
        }

        return [.. missing];
    }

    private static PolicyTarget? Target(MeshResource? resource) => resource switch
    {
        TrafficPolicy policy => policy.Target,
        TrafficRoute route => route.Target,
        _ => null,
    };

    private static void AddTarget(SortedSet<ResourceKey> services, MeshResource? resource)
    {
        if (Target(resource) is { } target)
        {
            services.Add(TrafficValidator.TargetKey(resource!, target));
        }
    }

    /// <summary>The Services a version names: its target and, for a route, its backend Services.</summary>
    private static IEnumerable<ResourceKey> References(MeshResource? resource)
    {
        if (Target(resource) is not { } target)
        {
            yield break;
        }

        yield return TrafficValidator.TargetKey(resource!, target);
        if (resource is TrafficRoute route)
        {
            foreach (var backend in ServiceTraffic.BackendsOf(route))
            {
                if (backend.Service is { } name)
                {
                    yield return new ResourceKey(ResourceKinds.Service, route.Namespace, name);
                }
            }
        }
    }

    private static void MoveTarget(
        ImmutableDictionary<ResourceKey, ImmutableHashSet<ResourceKey>>.Builder byTarget, ResourceKey key, MeshResource? before, MeshResource? after)
    {
        if (Target(before) is { } old)
        {
            RemoveFrom(byTarget, TrafficValidator.TargetKey(before!, old), key);
        }

        if (Target(after) is { } current)
        {
            var service = TrafficValidator.TargetKey(after!, current);
            byTarget[service] = byTarget.GetValueOrDefault(service, NoKeys).Add(key);
        }
    }

    private static void Reindex(
        ImmutableDictionary<ResourceKey, ImmutableHashSet<ResourceKey>>.Builder dependents,
        ImmutableDictionary<ResourceKey, ImmutableArray<ResourceKey>>.Builder references,
        ResourceKey key,
        ImmutableArray<ResourceKey> services)
    {
        foreach (var service in references.GetValueOrDefault(key, []))
        {
            RemoveFrom(dependents, service, key);
        }

        foreach (var service in services)
        {
            dependents[service] = dependents.GetValueOrDefault(service, NoKeys).Add(key);
        }

        if (services.IsEmpty)
        {
            references.Remove(key);
        }
        else
        {
            references[key] = services;
        }
    }

    private static void RemoveFrom(ImmutableDictionary<ResourceKey, ImmutableHashSet<ResourceKey>>.Builder index, ResourceKey service, ResourceKey key)
    {
        if (!index.TryGetValue(service, out var keys))
        {
            return;
        }

        keys = keys.Remove(key);
        if (keys.IsEmpty)
        {
            index.Remove(service);
        }
        else
        {
            index[service] = keys;
        }
    }
}

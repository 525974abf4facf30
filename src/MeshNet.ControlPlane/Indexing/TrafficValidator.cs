using System.Globalization;
using MeshNet.Model;
using MeshNet.Model.Traffic;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>
/// The checks no single manifest can make: whether what a TrafficPolicy or TrafficRoute names exists in the mesh
/// right now. Field paths follow the CRDs' spec, so an error reads like the API server's would. The first problem
/// found is reported: one clear message per resource.
/// </summary>
internal static class TrafficValidator
{
    /// <summary>The origin these errors carry in /debug/errors.</summary>
    public const string Origin = "control-plane: traffic policy";

    public static ResourceError? Validate(MeshResource resource, MeshSnapshot snapshot, IReadOnlyDictionary<ResourceKey, ServiceView> views)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(views);
        return resource switch
        {
            TrafficPolicy policy => ValidatePolicy(policy, snapshot),
            TrafficRoute route => ValidateRoute(route, snapshot, views),
            _ => null,
        };
    }

    /// <summary>The Service a targetRef names, in the resource's namespace.</summary>
    public static ResourceKey TargetKey(MeshResource resource, PolicyTarget target)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(target);
        return new ResourceKey(ResourceKinds.Service, resource.Namespace, target.Name);
    }

    private static ResourceError? ValidatePolicy(TrafficPolicy policy, MeshSnapshot snapshot)
    {
        var (service, error) = Target(policy, policy.Target, snapshot);
        if (error is not null)
        {
            return error;
        }

        return service!.Type == ServiceType.ExternalName
            ? Error(policy, "spec.targetRef.name", $"{Describe(service)} is of type ExternalName: its traffic does not pass through a mesh cluster")
            : null;
    }

    private static ResourceError? ValidateRoute(TrafficRoute route, MeshSnapshot snapshot, IReadOnlyDictionary<ResourceKey, ServiceView> views)
    {
        var (service, error) = Target(route, route.Target, snapshot);
        if (error is not null)
        {
            return error;
        }

        if (service!.Type == ServiceType.ExternalName || service.Headless)
        {
            var what = service.Headless ? "headless" : "of type ExternalName";
            return Error(route, "spec.targetRef.name", $"{Describe(service)} is {what}: clients reach it without a cluster IP, so requests cannot be routed");
        }

        int[] ports = route.Target.Port is { } only ? [only] : [.. service.Ports.Select(p => p.Port)];
        var rules = route.Rules.IsDefault ? [] : route.Rules;
        for (var i = 0; i < rules.Length; i++)
        {
            var backends = rules[i].Backends.IsDefault ? [] : rules[i].Backends;
            for (var j = 0; j < backends.Length; j++)
            {
                var field = string.Create(CultureInfo.InvariantCulture, $"spec.rules[{i}].backends[{j}]");
                if (ValidateBackend(route, service, backends[j], field, ports, snapshot, views) is { } backendError)
                {
                    return backendError;
                }
            }
        }

        return null;
    }

    private static ResourceError? ValidateBackend(
        TrafficRoute route, MeshService target, RouteBackend backend, string field, int[] ports, MeshSnapshot snapshot,
        IReadOnlyDictionary<ResourceKey, ServiceView> views)
    {
        if (backend.Service is not { } name)
        {
            if (backend.Subset is { Count: > 0 } subset && !AnyWorkloadMatches(target, subset, snapshot, views))
            {
                return Error(
                    route, field + ".subset",
                    $"unknown subset {ServiceTraffic.SubsetName(subset)}: no workload selected by {Describe(target)} has these labels");
            }

            return null;
        }

        if (backend.Subset is { Count: > 0 })
        {
            return Error(route, field, "service and subset are exclusive: a subset always selects from the target Service");
        }

        if (!snapshot.Services.TryGetValue(new ResourceKey(ResourceKinds.Service, route.Namespace, name), out var other))
        {
            return Error(route, field + ".service", $"Service {route.Namespace}/{name} does not exist");
        }

        if (other.Type == ServiceType.ExternalName)
        {
            return Error(route, field + ".service", $"{Describe(other)} is of type ExternalName: it has no mesh cluster to send to");
        }

        if (backend.Port is { } port)
        {
            return HasPort(other, port) ? null : Error(route, field + ".port", $"{Describe(other)} has no port {port}");
        }

        foreach (var targetPort in ports)
        {
            if (!HasPort(other, targetPort))
            {
                return Error(route, field + ".port", $"{Describe(other)} has no port {targetPort} (the target's port, used when port is not set)");
            }
        }

        return null;
    }

    private static (MeshService? Service, ResourceError? Error) Target(MeshResource resource, PolicyTarget target, MeshSnapshot snapshot)
    {
        if (!string.Equals(target.Kind, ResourceKinds.Service, StringComparison.Ordinal))
        {
            return (null, Error(resource, "spec.targetRef.kind", $"must be Service, not \"{target.Kind}\""));
        }

        if (!snapshot.Services.TryGetValue(TargetKey(resource, target), out var service))
        {
            return (null, Error(resource, "spec.targetRef.name", $"Service {resource.Namespace}/{target.Name} does not exist"));
        }

        if (target.Port is { } port && !HasPort(service, port))
        {
            return (null, Error(resource, "spec.targetRef.port", $"{Describe(service)} has no port {port}"));
        }

        return (service, null);
    }

    /// <summary>
    /// Whether any workload behind the Service carries every label of the subset: its resolved endpoints first (what
    /// a subset cluster will hold), then, for a selector Service, its selected workloads that are not endpoints yet.
    /// </summary>
    private static bool AnyWorkloadMatches(
        MeshService service, IReadOnlyDictionary<string, string> subset, MeshSnapshot snapshot, IReadOnlyDictionary<ResourceKey, ServiceView> views)
    {
        if (views.TryGetValue(service.Key, out var view) &&
            view.Ports.Any(p => p.Endpoints.Any(e => LabelSelector.Matches(subset, e.Labels))))
        {
            return true;
        }

        return service.Selector is { Count: > 0 } selector &&
            snapshot.WorkloadsSelectedBy(service.Namespace, selector).Any(w => LabelSelector.Matches(subset, w.Labels));
    }

    private static bool HasPort(MeshService service, int port) => service.Ports.Any(p => p.Port == port);

    private static string Describe(MeshService service) => $"Service {service.Namespace}/{service.Name}";

    private static ResourceError Error(MeshResource resource, string field, string message) =>
        new(Origin, null, resource.Key, field, message);
}

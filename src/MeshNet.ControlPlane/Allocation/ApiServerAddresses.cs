using System.Collections.Immutable;
using System.Globalization;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Allocation;

/// <summary>
/// Kubernetes mode's admission of Services: the API server has already checked and assigned spec.clusterIP(s) and
/// the node ports (in the cluster's own ranges, which this process does not know), and a load balancer controller
/// writes status.loadBalancer.ingress. So every Service is taken exactly as the API reports it: no range check, no
/// allocation, nothing persisted, and no refusal. Two Services briefly sharing an address is what a watch that has
/// seen the new Service before the old one's deletion looks like; refusing either would drop a live Service from
/// the mesh, so an overlap is only logged.
/// </summary>
internal sealed partial class ApiServerAddresses(ILogger logger)
{
    // Everything below is touched only by the single update loop.
    private readonly Dictionary<ResourceKey, MeshService> _services = [];

    // Overlaps already logged, so one that lasts is logged once, and again only if it comes back after clearing.
    private HashSet<string> _loggedOverlaps = new(StringComparer.Ordinal);

    /// <summary>Same shape as <see cref="ServiceAdmission.Admit"/>; the changes come back unchanged.</summary>
    public ImmutableArray<ResourceChange> Admit(ImmutableArray<ResourceChange> changes, out ImmutableArray<ResourceError> errors)
    {
        var touchesServices = false;
        foreach (var change in changes)
        {
            if (change.Key.Kind != ResourceKinds.Service)
            {
                continue;
            }

            touchesServices = true;
            if (change.Current is MeshService service)
            {
                _services[change.Key] = service;
            }
            else
            {
                _services.Remove(change.Key);
            }
        }

        if (!touchesServices)
        {
            errors = default;
            return changes;
        }

        var ordered = _services.Values.OrderBy(s => s.Key, ResourceKey.Ordinal).ToList();
        LogNewOverlaps(ordered);
        errors = [.. ordered.Where(WithoutClusterIp).Select(NoClusterIp)];
        return changes;
    }

    /// <summary>
    /// A Service that should have an address and came without one. The API server assigns one on create, so this
    /// is a broken or hand-written object; it still routes by name through the sidecars' explicit listener, so it
    /// is admitted and the gap is reported rather than the whole Service refused.
    /// </summary>
    private static bool WithoutClusterIp(MeshService service) =>
        service.Type != ServiceType.ExternalName && !service.Headless && !ServiceAllocator.RequestedIps(service).Any();

    private static ResourceError NoClusterIp(MeshService service) =>
        new(ServiceAdmissionOrigin.Value, null, service.Key, "spec.clusterIP",
            "the Kubernetes API reports no cluster IP for this Service; sidecars route to it by name only, and DNS has no address for it, until it has one");

    private void LogNewOverlaps(List<MeshService> services)
    {
        var current = new HashSet<string>(StringComparer.Ordinal);
        var clusterIps = services
            .SelectMany(s => ServiceAllocator.RequestedIps(s).Select(ip => (What: "cluster IP " + ip, Service: s)));
        var nodePorts = services
            .Where(s => s.Type is ServiceType.NodePort or ServiceType.LoadBalancer)
            .SelectMany(s => s.Ports.Where(p => p.NodePort is not null).Select(p => (
                What: string.Create(CultureInfo.InvariantCulture, $"node port {p.NodePort}/{p.Protocol.ToUpperInvariant()}"), Service: s)));
        foreach (var group in clusterIps.Concat(nodePorts).GroupBy(c => c.What, StringComparer.Ordinal))
        {
            var holders = group.Select(c => ServiceAllocator.KeyString(c.Service.Key)).Distinct(StringComparer.Ordinal).ToList();
            if (holders.Count < 2)
            {
                continue;
            }

            var names = string.Join(", ", holders);
            var overlap = group.Key + " " + names;
            current.Add(overlap);
            if (!_loggedOverlaps.Contains(overlap))
            {
                LogOverlap(group.Key, names);
            }
        }

        _loggedOverlaps = current;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{What} is held by Services {Holders} at once (a watch catching up with a delete and re-create?); both stay in the mesh")]
    private partial void LogOverlap(string what, string holders);
}

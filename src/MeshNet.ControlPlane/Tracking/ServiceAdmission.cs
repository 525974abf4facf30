using System.Collections.Immutable;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Tracking;

/// <summary>
/// Checks what no single manifest can: that two Services do not ask for the same cluster IP. Like the API
/// server's allocator, the Service that holds an address keeps it and a later claimant is refused with an
/// error on that Service; a refused update leaves the last admitted version in force, and a refused new
/// Service stays out of the mesh until the clash is gone. Without this, every sidecar would NACK every push
/// that carries the clash and the whole mesh would stop updating.
/// </summary>
internal sealed class ServiceAdmission
{
    public const string Origin = "control-plane: service admission";

    // What the sources want, and what the snapshot holds. Touched only by the single update loop.
    private readonly Dictionary<ResourceKey, MeshService> _desired = [];
    private Dictionary<ResourceKey, MeshService> _admitted = [];

    /// <summary>
    /// Filters a batch: non-Service changes pass through; Service changes are replaced by the net change to
    /// the admitted set. <paramref name="errors"/> is the full current list of admission errors.
    /// </summary>
    public ImmutableArray<ResourceChange> Admit(ImmutableArray<ResourceChange> changes, out ImmutableArray<ResourceError> errors)
    {
        var touchesServices = false;
        var passThrough = ImmutableArray.CreateBuilder<ResourceChange>(changes.Length);
        foreach (var change in changes)
        {
            if (change.Key.Kind != ResourceKinds.Service)
            {
                passThrough.Add(change);
                continue;
            }

            touchesServices = true;
            if (change.Current is MeshService service)
            {
                _desired[change.Key] = service;
            }
            else
            {
                _desired.Remove(change.Key);
            }
        }

        if (!touchesServices)
        {
            errors = default;
            return changes;
        }

        var (admitted, found) = Decide();
        foreach (var key in _admitted.Keys.Union(admitted.Keys).Order(ResourceKey.Ordinal))
        {
            _admitted.TryGetValue(key, out var before);
            admitted.TryGetValue(key, out var after);
            if (!ReferenceEquals(before, after))
            {
                passThrough.Add(new ResourceChange(key, before, after));
            }
        }

        _admitted = admitted;
        errors = found;
        return passThrough.ToImmutable();
    }

    private (Dictionary<ResourceKey, MeshService> Admitted, ImmutableArray<ResourceError> Errors) Decide()
    {
        var owners = new Dictionary<string, ResourceKey>(StringComparer.OrdinalIgnoreCase);
        var admitted = new Dictionary<ResourceKey, MeshService>();
        var errors = ImmutableArray.CreateBuilder<ResourceError>();

        // Holders first, so an address stays with the Service that already has it.
        foreach (var (key, held) in _admitted.OrderBy(p => p.Key, ResourceKey.Ordinal))
        {
            if (!_desired.TryGetValue(key, out var wanted))
            {
                continue;
            }

            if (TryClaim(wanted, owners, out var clash))
            {
                admitted[key] = wanted;
                continue;
            }

            errors.Add(ClashError(wanted, clash));
            if (TryClaim(held, owners, out _))
            {
                admitted[key] = held;
            }
        }

        foreach (var (key, wanted) in _desired.OrderBy(p => p.Key, ResourceKey.Ordinal))
        {
            if (_admitted.ContainsKey(key))
            {
                continue;
            }

            if (TryClaim(wanted, owners, out var clash))
            {
                admitted[key] = wanted;
            }
            else
            {
                errors.Add(ClashError(wanted, clash));
            }
        }

        return (admitted, errors.ToImmutable());
    }

    private static bool TryClaim(MeshService service, Dictionary<string, ResourceKey> owners, out (string Ip, ResourceKey Owner) clash)
    {
        var ips = RequestedIps(service).ToArray();
        foreach (var ip in ips)
        {
            if (owners.TryGetValue(ip, out var owner))
            {
                clash = (ip, owner);
                return false;
            }
        }

        foreach (var ip in ips)
        {
            owners[ip] = service.Key;
        }

        clash = default;
        return true;
    }

    private static IEnumerable<string> RequestedIps(MeshService service) =>
        service.ClusterIPs.Where(ip => ip.Length > 0 && !string.Equals(ip, "None", StringComparison.OrdinalIgnoreCase));

    private static ResourceError ClashError(MeshService service, (string Ip, ResourceKey Owner) clash) =>
        new(Origin, null, service.Key, "spec.clusterIP",
            $"{clash.Ip} is already allocated to Service {clash.Owner.Namespace}/{clash.Owner.Name}; this version is not applied");
}

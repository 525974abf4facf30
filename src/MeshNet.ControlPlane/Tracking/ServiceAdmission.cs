using System.Collections.Immutable;
using MeshNet.ControlPlane.Allocation;
using MeshNet.Model;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tracking;

/// <summary>
/// Checks what no single manifest can, and fills in what the API server (and a load balancer controller) would:
/// every Service's cluster IPs, node ports and load balancer address are requested-and-checked or allocated here (<see cref="ServiceAllocator"/>), so the snapshot only
/// ever holds Services with their final addresses. Like the API server's allocator, the Service that holds an
/// address keeps it and a later claimant is refused with an error on that Service; a refused update leaves the
/// last admitted version in force, and a refused new Service stays out of the mesh until the problem is gone.
/// Without this, every sidecar would NACK every push that carries a clash and the whole mesh would stop updating.
/// In Kubernetes mode the API server is the allocator: <see cref="ApiServerAddresses"/> takes its addresses as they are.
/// </summary>
internal sealed class ServiceAdmission
{
    public const string Origin = ServiceAdmissionOrigin.Value;

    private readonly ServiceAllocator _allocator;
    private readonly AllocationStateStore? _store;
    private readonly ApiServerAddresses? _apiServer;

    // Everything below is touched only by the single update loop.
    private readonly Dictionary<ResourceKey, MeshService> _desired = [];
    private Dictionary<ResourceKey, Admitted> _admitted = [];

    // Allocations by "ns/name", as persisted: admitted Services, plus saved ones not seen since the restart (kept as
    // soft reservations until their Service is deleted, so a Service loaded a little later still gets its address).
    private readonly Dictionary<string, ServiceAllocation> _saved;
    private string? _saveError;

    // A deleted Service's allocation left _saved since the last save: the file must forget it too, or a restart
    // would hold its addresses back from everyone else.
    private bool _forgotten;

    public ServiceAdmission()
        : this(AllocationOptions.Default)
    {
    }

    /// <exception cref="InvalidDataException">The state directory holds an unreadable allocation file.</exception>
    public ServiceAdmission(AllocationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allocator = new ServiceAllocator(options);
        _store = options.StateDirectory is { } directory ? new AllocationStateStore(directory) : null;
        _saved = _store?.Load() ?? new Dictionary<string, ServiceAllocation>(StringComparer.Ordinal);
    }

    /// <summary>Kubernetes mode: nothing is checked, allocated or persisted; the allocator stays idle.</summary>
    private ServiceAdmission(ApiServerAddresses apiServer)
        : this(AllocationOptions.Default)
    {
        _apiServer = apiServer;
    }

    /// <summary>Admission for Services read from the Kubernetes API, whose addresses the API server already assigned.</summary>
    public static ServiceAdmission TrustingApiServer(ILogger logger) => new(new ApiServerAddresses(logger));

    /// <summary>What a Service currently holds, by key; for diagnostics and tests.</summary>
    public ServiceAllocation? AllocationOf(ResourceKey key) => _admitted.TryGetValue(key, out var a) ? a.Allocation : null;

    /// <summary>
    /// Filters a batch: non-Service changes pass through; Service changes are replaced by the net change to
    /// the admitted set. <paramref name="errors"/> is the full current list of admission errors.
    /// </summary>
    public ImmutableArray<ResourceChange> Admit(ImmutableArray<ResourceChange> changes, out ImmutableArray<ResourceError> errors)
    {
        if (_apiServer is not null)
        {
            return _apiServer.Admit(changes, out errors);
        }

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
                _forgotten |= _saved.Remove(ServiceAllocator.KeyString(change.Key));
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
            var before = _admitted.TryGetValue(key, out var b) ? b.Service : null;
            var after = admitted.TryGetValue(key, out var a) ? a.Service : null;
            if (!ReferenceEquals(before, after))
            {
                passThrough.Add(new ResourceChange(key, before, after));
            }
        }

        _admitted = admitted;
        Persist();
        errors = _saveError is null
            ? found
            : found.Add(new ResourceError(Origin, null, null, "--state-dir", _saveError));
        return passThrough.ToImmutable();
    }

    private (Dictionary<ResourceKey, Admitted> Admitted, ImmutableArray<ResourceError> Errors) Decide()
    {
        var ledger = new AllocationLedger();
        var admitted = new Dictionary<ResourceKey, Admitted>();
        var errors = ImmutableArray.CreateBuilder<ResourceError>();

        // Explicit requests first, then saved allocations: dynamic allocation keeps off both.
        foreach (var (key, wanted) in _desired.OrderBy(p => p.Key, ResourceKey.Ordinal))
        {
            ledger.Reserve(ServiceAllocator.KeyString(key), ServiceAllocator.Requested(wanted));
        }

        foreach (var (key, saved) in _saved.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ledger.Reserve(key, saved);
        }

        // Holders claim what they hold before anyone else asks, so an address stays with the Service that has it.
        var holders = _admitted.Where(p => _desired.ContainsKey(p.Key)).OrderBy(p => p.Key, ResourceKey.Ordinal).ToList();
        foreach (var (key, held) in holders)
        {
            ledger.Claim(key, held.Allocation);
        }

        foreach (var (key, held) in holders)
        {
            var wanted = _desired[key];
            // A Service admitted short of something (no load balancer address) asks again: one may have been freed.
            if (ReferenceEquals(wanted, held.Wanted) && !held.Incomplete)
            {
                admitted[key] = held;
                continue;
            }

            ledger.Release(key, held.Allocation);
            if (_allocator.TryPlan(wanted, held.Allocation, held: true, ledger, out var plan, out var error))
            {
                ledger.Claim(key, plan);
                admitted[key] = ReferenceEquals(wanted, held.Wanted) && plan.SameAs(held.Allocation)
                    ? held
                    : new Admitted(wanted, plan, ServiceAllocator.Fill(wanted, plan), Incomplete: error is not null);
            }
            else
            {
                ledger.Claim(key, held.Allocation);
                admitted[key] = held;
            }

            if (error is not null)
            {
                errors.Add(error);
            }
        }

        foreach (var (key, wanted) in _desired.OrderBy(p => p.Key, ResourceKey.Ordinal))
        {
            if (_admitted.ContainsKey(key))
            {
                continue;
            }

            _saved.TryGetValue(ServiceAllocator.KeyString(key), out var saved);
            if (_allocator.TryPlan(wanted, saved, held: false, ledger, out var plan, out var error))
            {
                ledger.Claim(key, plan);
                admitted[key] = new Admitted(wanted, plan, ServiceAllocator.Fill(wanted, plan), Incomplete: error is not null);
            }

            if (error is not null)
            {
                errors.Add(error);
            }
        }

        return (admitted, errors.ToImmutable());
    }

    private void Persist()
    {
        var changed = _forgotten;
        foreach (var (key, entry) in _admitted)
        {
            var name = ServiceAllocator.KeyString(key);
            if (!_saved.TryGetValue(name, out var saved) || !saved.SameAs(entry.Allocation))
            {
                _saved[name] = entry.Allocation;
                changed = true;
            }
        }

        if (_store is null || !changed && _saveError is null)
        {
            return;
        }

        try
        {
            _store.Save(_saved);
            _saveError = null;
            _forgotten = false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Allocations still work in memory; only restart stability is lost, which /debug/errors reports.
            _saveError = $"could not save allocations: {ex.Message}";
        }
    }

    /// <param name="Wanted">The version the sources asked for.</param>
    /// <param name="Service">That version with its allocation filled in: what the snapshot holds.</param>
    /// <param name="Incomplete">Admitted without something it should have (its load balancer address): an error stands against it.</param>
    private sealed record Admitted(MeshService Wanted, ServiceAllocation Allocation, MeshService Service, bool Incomplete = false);
}

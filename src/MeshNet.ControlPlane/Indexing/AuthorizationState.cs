using System.Collections.Immutable;
using MeshNet.Model;
using MeshNet.Model.Security;
using MtlsMode = MeshNet.Protocol.V1.MtlsMode;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>A Namespace's security annotations, as last accepted.</summary>
internal sealed record NamespaceSecurity(bool DefaultDeny, MtlsMode Mtls)
{
    /// <summary>Mesh-wide defaults: no default deny, PERMISSIVE mTLS.</summary>
    public static NamespaceSecurity Default { get; } = new(false, MtlsMode.Permissive);
}

/// <summary>An AuthorizationPolicy in force, with the labels its target selects (a Service's selector, or its own).</summary>
internal sealed record AcceptedAuthorization(AuthorizationPolicy Policy, ImmutableDictionary<string, string> Selector);

/// <summary>
/// Which AuthorizationPolicies are in force, per namespace, and each Namespace's security annotations. Immutable and
/// small (policies and namespaces are few), so an update re-validates all of them against the snapshot.
/// <para>
/// Like traffic resources, a policy or annotation whose current version is invalid keeps its last accepted version
/// in force: a policy whose target Service disappears keeps protecting the workloads it protected, rather than
/// silently opening them up.
/// </para>
/// </summary>
internal sealed class AuthorizationState
{
    public const string Origin = "control-plane: authorization";

    private AuthorizationState(
        ImmutableDictionary<ResourceKey, AcceptedAuthorization> accepted,
        ImmutableDictionary<string, NamespaceSecurity> namespaces,
        ImmutableArray<ResourceError> errors)
    {
        Accepted = accepted;
        Namespaces = namespaces;
        Errors = errors;
        ByNamespace = accepted.Values
            .GroupBy(a => a.Policy.Namespace, StringComparer.Ordinal)
            .ToImmutableDictionary(g => g.Key, g => g.OrderBy(a => a.Policy.Name, StringComparer.Ordinal).ToImmutableArray(), StringComparer.Ordinal);
    }

    public static AuthorizationState Empty { get; } = new(
        ImmutableDictionary<ResourceKey, AcceptedAuthorization>.Empty,
        ImmutableDictionary<string, NamespaceSecurity>.Empty.WithComparers(StringComparer.Ordinal),
        []);

    public ImmutableDictionary<ResourceKey, AcceptedAuthorization> Accepted { get; }

    /// <summary>Accepted policies by namespace, ordered by name.</summary>
    public ImmutableDictionary<string, ImmutableArray<AcceptedAuthorization>> ByNamespace { get; }

    /// <summary>Namespaces with an accepted annotation; the others have <see cref="NamespaceSecurity.Default"/>.</summary>
    public ImmutableDictionary<string, NamespaceSecurity> Namespaces { get; }

    /// <summary>Every current error, ordered by resource.</summary>
    public ImmutableArray<ResourceError> Errors { get; }

    public NamespaceSecurity SecurityOf(string ns) => Namespaces.GetValueOrDefault(ns) ?? NamespaceSecurity.Default;

    public ImmutableArray<AcceptedAuthorization> PoliciesIn(string ns) => ByNamespace.GetValueOrDefault(ns, []);

    public AuthorizationState Update(MeshSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var errors = new List<ResourceError>();
        var accepted = ImmutableDictionary.CreateBuilder<ResourceKey, AcceptedAuthorization>();
        foreach (var (key, policy) in snapshot.Authorization)
        {
            if (Resolve(policy, snapshot, out var error) is { } selector)
            {
                accepted[key] = Accepted.TryGetValue(key, out var previous) && ReferenceEquals(previous.Policy, policy) && SameLabels(previous.Selector, selector)
                    ? previous
                    : new AcceptedAuthorization(policy, selector);
            }
            else
            {
                errors.Add(error!);
                if (Accepted.TryGetValue(key, out var previous))
                {
                    accepted[key] = previous;
                }
            }
        }

        var namespaces = ImmutableDictionary.CreateBuilder<string, NamespaceSecurity>(StringComparer.Ordinal);
        foreach (var ns in snapshot.Namespaces.Values)
        {
            var security = NamespaceAnnotations.Read(ns, SecurityOf(ns.Name), errors);
            if (security != NamespaceSecurity.Default)
            {
                namespaces[ns.Name] = security;
            }
        }

        errors.Sort(static (a, b) => ResourceKey.Ordinal.Compare(a.Resource!, b.Resource!) is var c && c != 0 ? c : string.CompareOrdinal(a.Field, b.Field));
        var next = new AuthorizationState(accepted.ToImmutable(), namespaces.ToImmutable(), [.. errors]);
        return next.SameAs(this) ? this : next;
    }

    /// <summary>The labels the policy selects, or null with the reason it cannot be accepted.</summary>
    private static ImmutableDictionary<string, string>? Resolve(AuthorizationPolicy policy, MeshSnapshot snapshot, out ResourceError? error)
    {
        error = null;
        if (policy.Target.Selector is { } selector)
        {
            return selector;
        }

        var serviceKey = new ResourceKey(ResourceKinds.Service, policy.Namespace, policy.Target.ServiceName ?? string.Empty);
        if (!snapshot.Services.TryGetValue(serviceKey, out var service))
        {
            error = Error(policy, "spec.targetRef.name", $"Service {policy.Namespace}/{serviceKey.Name} does not exist");
            return null;
        }

        if (service.Selector is not { Count: > 0 } serviceSelector)
        {
            error = Error(policy, "spec.targetRef.name", $"Service {policy.Namespace}/{serviceKey.Name} has no selector: target its workloads with spec.selector");
            return null;
        }

        return serviceSelector;
    }

    private static ResourceError Error(AuthorizationPolicy policy, string field, string message) => new(Origin, null, policy.Key, field, message);

    private bool SameAs(AuthorizationState other) =>
        Accepted.Count == other.Accepted.Count
        && Accepted.All(e => other.Accepted.TryGetValue(e.Key, out var o) && ReferenceEquals(o, e.Value))
        && Namespaces.Count == other.Namespaces.Count
        && Namespaces.All(e => other.Namespaces.TryGetValue(e.Key, out var o) && o == e.Value)
        && Errors.SequenceEqual(other.Errors);

    private static bool SameLabels(ImmutableDictionary<string, string> a, ImmutableDictionary<string, string> b) =>
        ReferenceEquals(a, b) || (a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value));
}

using System.Collections.Immutable;
using MeshNet.Kubernetes.Crds;
using MeshNet.Model.Security;

namespace MeshNet.Kubernetes.Conversion;

/// <summary>AuthorizationPolicy (validated) to the mesh model, with the CRD's defaults applied (action Allow).</summary>
public static class AuthorizationPolicyConverter
{
    public static AuthorizationPolicy ToAuthorizationPolicy(V1alpha1AuthorizationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var spec = policy.Spec ?? throw new ArgumentException("AuthorizationPolicy without spec", nameof(policy));
        var target = spec.Selector is { } selector
            ? new AuthorizationTarget(null, ConversionHelpers.ToImmutable(selector.MatchLabels))
            : new AuthorizationTarget(spec.TargetRef?.Name ?? string.Empty, null);
        return new AuthorizationPolicy(
            ConversionHelpers.NamespaceOf(policy.Metadata),
            policy.Metadata?.Name ?? string.Empty,
            target,
            spec.Action == nameof(AuthorizationAction.Deny) ? AuthorizationAction.Deny : AuthorizationAction.Allow,
            [.. (spec.Rules ?? []).Select(ToRule)]);
    }

    private static AuthorizationRule ToRule(AuthorizationRuleSpec? rule) => new(
        [.. (rule?.From ?? []).Select(s => new AuthorizationSource(List(s?.ServiceAccounts), List(s?.Namespaces)))],
        [.. (rule?.To ?? []).Select(o => new AuthorizationOperation(List(o?.Ports), List(o?.Methods), List(o?.Paths)))]);

    private static ImmutableArray<T> List<T>(IList<T>? values) => values is null ? [] : [.. values];
}

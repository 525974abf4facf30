using System.Collections.Immutable;

namespace MeshNet.Model.Security;

/// <summary>
/// meshnet.io/v1alpha1 AuthorizationPolicy: who may call the workloads of a Service (or those a selector picks) in the
/// policy's namespace, and with which operations. Structurally valid when it reaches the model; whether its target
/// Service exists is the control plane's question.
/// </summary>
/// <param name="Rules">ORed. A policy without rules matches no request.</param>
public sealed record AuthorizationPolicy(
    string Namespace,
    string Name,
    AuthorizationTarget Target,
    AuthorizationAction Action,
    ImmutableArray<AuthorizationRule> Rules)
    : MeshResource(new ResourceKey(ResourceKinds.AuthorizationPolicy, Namespace, Name));

/// <summary>Exactly one of <paramref name="ServiceName"/> (spec.targetRef) and <paramref name="Selector"/> (spec.selector.matchLabels) is set.</summary>
public sealed record AuthorizationTarget(string? ServiceName, ImmutableDictionary<string, string>? Selector);

public enum AuthorizationAction
{
    Allow,
    Deny,
}

/// <summary>Every part that is non-empty must match; within a part, any entry.</summary>
public sealed record AuthorizationRule(ImmutableArray<AuthorizationSource> From, ImmutableArray<AuthorizationOperation> To);

/// <param name="ServiceAccounts">"namespace/name" of the callers' service accounts.</param>
/// <param name="Namespaces">The callers' namespaces.</param>
public sealed record AuthorizationSource(ImmutableArray<string> ServiceAccounts, ImmutableArray<string> Namespaces);

/// <param name="Ports">Application (target) ports.</param>
/// <param name="Methods">Upper-case HTTP methods.</param>
/// <param name="Paths">Exact normalised paths, or prefixes ending in "/*".</param>
public sealed record AuthorizationOperation(ImmutableArray<int> Ports, ImmutableArray<string> Methods, ImmutableArray<string> Paths);

/// <summary>The Namespace annotations that shape authorization and mTLS for every workload in the namespace.</summary>
public static class SecurityAnnotations
{
    /// <summary>"deny": a request no ALLOW policy matches is denied. "allow" (the default) leaves such requests alone.</summary>
    public const string DefaultPolicy = "meshnet.io/default-policy";

    /// <summary>"strict", "permissive" (the default) or "disabled".</summary>
    public const string Mtls = "meshnet.io/mtls";
}

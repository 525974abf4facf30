using System.Collections.Frozen;
using MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Authorization;

/// <summary>What a request is judged on: the caller's identity (null when plaintext) and the normalised operation.</summary>
internal readonly record struct AuthorizationRequest(string? Principal, string? Namespace, int Port, string Method, string Path);

/// <param name="Policy">Why a denied request was denied: the DENY policy that matched, the ALLOW policies none of which
/// matched, or "default-deny". Null when allowed.</param>
internal readonly record struct AuthorizationDecision(bool Allowed, string? Policy)
{
    public static AuthorizationDecision Allow { get; } = new(true, null);
}

/// <summary>
/// One sidecar's authorization policies (Inbound.authorization and default_deny), compiled once per applied config.
/// Semantics from the proto: a DENY match wins; then, with default_deny or any ALLOW policy present, a request must
/// match some ALLOW policy. A policy matches when any of its rules does; a rule when each of its non-empty parts does.
/// </summary>
internal sealed class InboundPolicies
{
    public const string DefaultDeny = "default-deny";

    private readonly CompiledPolicy[] _deny;
    private readonly CompiledPolicy[] _allow;
    private readonly bool _defaultDeny;
    private readonly string _unmatchedReason;

    private InboundPolicies(CompiledPolicy[] deny, CompiledPolicy[] allow, bool defaultDeny)
    {
        _deny = deny;
        _allow = allow;
        _defaultDeny = defaultDeny;
        _unmatchedReason = allow.Length == 0 ? DefaultDeny : string.Join(", ", allow.Select(p => p.Name));
    }

    public static InboundPolicies Open { get; } = new([], [], defaultDeny: false);

    /// <summary>True when every request is allowed: the request path can skip building an <see cref="AuthorizationRequest"/>.</summary>
    public bool AllowsEverything => _deny.Length == 0 && _allow.Length == 0 && !_defaultDeny;

    public static InboundPolicies Compile(Inbound? inbound)
    {
        if (inbound is null || (inbound.Authorization.Count == 0 && !inbound.DefaultDeny))
        {
            return Open;
        }

        var policies = inbound.Authorization.OrderBy(p => p.Name, StringComparer.Ordinal).Select(CompiledPolicy.Create).ToArray();
        return new InboundPolicies(
            [.. policies.Where(p => p.Deny)],
            [.. policies.Where(p => !p.Deny)],
            inbound.DefaultDeny);
    }

    /// <summary>
    /// The decision for a connection that is not HTTP (an L4 pass-through), where only the caller and the port are
    /// known. Operations that name methods or paths cannot be checked, so they make an ALLOW rule never match and a
    /// DENY rule match on its ports alone: unknowable conditions only ever deny more.
    /// </summary>
    public AuthorizationDecision DecideConnection(string? principal, string? ns, int port) =>
        Decide(new AuthorizationRequest(principal, ns, port, Method: string.Empty, Path: ConnectionPath));

    /// <summary>Stands for "no HTTP request": see <see cref="CompiledOperation"/>.</summary>
    private const string ConnectionPath = "";

    public AuthorizationDecision Decide(in AuthorizationRequest request)
    {
        foreach (var policy in _deny)
        {
            if (policy.Matches(request, l4Deny: true))
            {
                return new AuthorizationDecision(false, policy.Name);
            }
        }

        if (_allow.Length == 0 && !_defaultDeny)
        {
            return AuthorizationDecision.Allow;
        }

        foreach (var policy in _allow)
        {
            if (policy.Matches(request, l4Deny: false))
            {
                return AuthorizationDecision.Allow;
            }
        }

        return new AuthorizationDecision(false, _unmatchedReason);
    }

    private sealed record CompiledPolicy(string Name, bool Deny, CompiledRule[] Rules)
    {
        public static CompiledPolicy Create(AuthorizationPolicy policy) => new(
            policy.Name,
            policy.Action == AuthorizationPolicy.Types.Action.Deny,
            [.. policy.Rules.Select(CompiledRule.Create)]);

        public bool Matches(in AuthorizationRequest request, bool l4Deny)
        {
            foreach (var rule in Rules)
            {
                if (rule.Matches(request, l4Deny))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed record CompiledRule(CompiledSource[] From, CompiledOperation[] To)
    {
        public static CompiledRule Create(AuthorizationRule rule) => new(
            [.. rule.From.Select(s => new CompiledSource(Set(s.Principals), Set(s.Namespaces)))],
            [.. rule.To.Select(o => new CompiledOperation(
                [.. o.Ports.Select(p => (int)p)],
                Set(o.Methods),
                Set(o.Paths.Where(p => !p.EndsWith("/*", StringComparison.Ordinal))),
                [.. o.Paths.Where(p => p.EndsWith("/*", StringComparison.Ordinal)).Select(p => p[..^1])]))]);

        public bool Matches(in AuthorizationRequest request, bool l4Deny) => Any(From, request) && Any(To, request, l4Deny);

        private static bool Any(CompiledSource[] sources, in AuthorizationRequest request)
        {
            if (sources.Length == 0)
            {
                return true;
            }

            foreach (var source in sources)
            {
                if (source.Matches(request))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Any(CompiledOperation[] operations, in AuthorizationRequest request, bool l4Deny)
        {
            if (operations.Length == 0)
            {
                return true;
            }

            foreach (var operation in operations)
            {
                if (operation.Matches(request, l4Deny))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Only a caller with an identity can match a source that names principals or namespaces.</summary>
    private sealed record CompiledSource(FrozenSet<string>? Principals, FrozenSet<string>? Namespaces)
    {
        public bool Matches(in AuthorizationRequest request) =>
            (Principals is null || (request.Principal is { } principal && Principals.Contains(principal)))
            && (Namespaces is null || (request.Namespace is { } ns && Namespaces.Contains(ns)));
    }

    /// <param name="Prefixes">"/posts/*" kept as "/posts/": it matches "/posts/1" and "/posts/", not "/posts".</param>
    private sealed record CompiledOperation(int[] Ports, FrozenSet<string>? Methods, FrozenSet<string>? ExactPaths, string[] Prefixes)
    {
        public bool Matches(in AuthorizationRequest request, bool l4Deny)
        {
            if (Ports.Length != 0 && Array.IndexOf(Ports, request.Port) < 0)
            {
                return false;
            }

            if (request.Path.Length == 0)
            {
                // A connection, not a request: HTTP conditions cannot be checked (see DecideConnection).
                return l4Deny || (Methods is null && ExactPaths is null && Prefixes.Length == 0);
            }

            return (Methods is null || Methods.Contains(request.Method)) && PathMatches(request.Path);
        }

        private bool PathMatches(string path)
        {
            if (ExactPaths is null && Prefixes.Length == 0)
            {
                return true;
            }

            if (ExactPaths?.Contains(path) == true)
            {
                return true;
            }

            foreach (var prefix in Prefixes)
            {
                if (path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Null for an empty list: "not set", which matches everything.</summary>
    private static FrozenSet<string>? Set(IEnumerable<string> values)
    {
        var set = values.ToFrozenSet(StringComparer.Ordinal);
        return set.Count == 0 ? null : set;
    }
}

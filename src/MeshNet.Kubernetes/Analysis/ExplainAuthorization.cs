using System.Collections.Immutable;
using System.Globalization;
using MeshNet.Model;
using MeshNet.Model.Security;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>Which AuthorizationPolicy rule allows or denies a caller: DENY first, then ALLOW, then the namespace default.</summary>
internal static class ExplainAuthorization
{
    /// <param name="caller">Null when only the error is known: the policies in force are listed instead.</param>
    /// <param name="port">The target (application) port, or null when it is named and not resolved here.</param>
    public static string Describe(
        AnalysisInput input, MeshService service, Workload? caller, int? port, string method, string path, ImmutableArray<ExplanationStep>.Builder steps)
    {
        var pods = service.Selector is { Count: > 0 } selector
            ? LabelDistance.Matching(selector, input.Workloads.Where(w => string.Equals(w.Namespace, service.Namespace, StringComparison.Ordinal)))
            : [];
        var applying = input.AuthorizationPolicies
            .Where(p => string.Equals(p.Namespace, service.Namespace, StringComparison.Ordinal)
                && (p.Target.ServiceName is { } name
                    ? string.Equals(name, service.Name, StringComparison.Ordinal)
                    : p.Target.Selector is { Count: > 0 } s && pods.Any(w => LabelSelector.Matches(s, w.Labels))))
            .OrderBy(p => p.Key, ResourceKey.Ordinal)
            .ToList();
        var defaultDeny = input.Namespaces.FirstOrDefault(n => string.Equals(n.Name, service.Namespace, StringComparison.Ordinal))?
            .Annotations.TryGetValue(SecurityAnnotations.DefaultPolicy, out var mode) == true && string.Equals(mode, "deny", StringComparison.OrdinalIgnoreCase);
        var defaultText = defaultDeny
            ? $"Namespace {service.Namespace} {SecurityAnnotations.DefaultPolicy}=deny"
            : $"Namespace {service.Namespace} default policy allow";

        if (caller is null)
        {
            steps.Add(new ExplanationStep("authorization", null, $"{applying.Count} policy(ies) apply; {defaultText}"));
            var denies = applying.Where(p => p.Action == AuthorizationAction.Deny).Select(p => p.Key.ToString()).ToList();
            var allows = applying.Where(p => p.Action == AuthorizationAction.Allow).Select(p => p.Key.ToString()).ToList();
            var parts = new List<string>();
            if (denies.Count > 0)
            {
                parts.Add($"DENY by {string.Join(", ", denies)}");
            }

            if (defaultDeny)
            {
                parts.Add(allows.Count > 0 ? $"or no ALLOW rule of {string.Join(", ", allows)} matched ({defaultText})" : $"no ALLOW policy applies ({defaultText})");
            }

            return parts.Count == 0
                ? $"403 authz-denied: no policy of {service.Key} denies requests now; the config changed since, or another sidecar denied it"
                : $"403 authz-denied: {string.Join(" ", parts)}";
        }

        var principal = $"{caller.Namespace}/{caller.ServiceAccount}";
        foreach (var action in new[] { AuthorizationAction.Deny, AuthorizationAction.Allow })
        {
            foreach (var policy in applying.Where(p => p.Action == action))
            {
                var rule = policy.Rules.Select((r, i) => (Rule: r, Index: i))
                    .FirstOrDefault(r => FromMatches(r.Rule, principal, caller.Namespace) && ToMatches(r.Rule, port, method, path));
                if (rule.Rule is null)
                {
                    continue;
                }

                var verdict = action == AuthorizationAction.Deny ? "denies" : "allows";
                steps.Add(new ExplanationStep("authorization", policy.Key.ToString(), string.Create(CultureInfo.InvariantCulture,
                    $"rule {rule.Index} {verdict} {principal} {method} {path}")));
                return action == AuthorizationAction.Deny
                    ? string.Create(CultureInfo.InvariantCulture, $"403 authz-denied: {policy.Key} rule {rule.Index} (DENY) matches {principal}")
                    : string.Create(CultureInfo.InvariantCulture, $"allowed: {policy.Key} rule {rule.Index} matches {principal}; the request reaches the app");
            }
        }

        steps.Add(new ExplanationStep("authorization", null, $"no rule of {applying.Count} applying policy(ies) matches {principal}; {defaultText}"));
        return defaultDeny
            ? $"403 authz-denied: no ALLOW rule matches {principal} and {defaultText}"
            : $"allowed: no policy denies {principal} ({defaultText}); the request reaches the app";
    }

    private static bool FromMatches(AuthorizationRule rule, string principal, string ns) =>
        rule.From.IsDefaultOrEmpty || rule.From.Any(f =>
            (f.ServiceAccounts.IsDefaultOrEmpty || f.ServiceAccounts.Contains(principal, StringComparer.Ordinal))
            && (f.Namespaces.IsDefaultOrEmpty || f.Namespaces.Contains(ns, StringComparer.Ordinal)));

    private static bool ToMatches(AuthorizationRule rule, int? port, string method, string path) =>
        rule.To.IsDefaultOrEmpty || rule.To.Any(t =>
            (t.Ports.IsDefaultOrEmpty || port is null || t.Ports.Contains(port.Value))
            && (t.Methods.IsDefaultOrEmpty || t.Methods.Contains(method, StringComparer.Ordinal))
            && (t.Paths.IsDefaultOrEmpty || t.Paths.Any(p => p.EndsWith("/*", StringComparison.Ordinal)
                ? path.StartsWith(p[..^1], StringComparison.Ordinal) || string.Equals(path, p[..^2], StringComparison.Ordinal)
                : string.Equals(p, path, StringComparison.Ordinal))));
}

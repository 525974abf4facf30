using MeshNet.Model;
using MeshNet.Model.Security;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>AuthorizationPolicy checks: targets that exist, and policy sets that let no caller through.</summary>
internal static class AuthorizationAnalyzer
{
    public static IEnumerable<AnalysisFinding> Analyze(AnalysisInput input)
    {
        var services = input.Services.ToDictionary(s => (s.Namespace, s.Name));
        foreach (var policy in input.AuthorizationPolicies.OrderBy(p => p.Key, ResourceKey.Ordinal))
        {
            if (policy.Target.ServiceName is { } name && !services.ContainsKey((policy.Namespace, name)))
            {
                yield return new AnalysisFinding(
                    FindingCodes.AuthorizationTargetMissing,
                    FindingSeverity.Warning,
                    policy.Key.ToString(),
                    "spec.targetRef",
                    $"target Service {policy.Namespace}/{name} does not exist: the policy protects nothing",
                    "Point targetRef at an existing Service in the policy's namespace.");
            }
        }

        foreach (var service in input.Services.OrderBy(s => s.Key, ResourceKey.Ordinal))
        {
            if (service.Type == ServiceType.ExternalName)
            {
                continue;
            }

            var pods = service.Selector is { Count: > 0 } selector
                ? LabelDistance.Matching(selector, input.Workloads.Where(w => string.Equals(w.Namespace, service.Namespace, StringComparison.Ordinal)))
                : [];
            var applying = input.AuthorizationPolicies
                .Where(p => string.Equals(p.Namespace, service.Namespace, StringComparison.Ordinal) && Applies(p, service, pods))
                .OrderBy(p => p.Key, ResourceKey.Ordinal)
                .ToList();
            if (Unreachable(service, applying, input.Namespaces) is { } reason)
            {
                yield return new AnalysisFinding(
                    FindingCodes.ServiceUnreachable,
                    FindingSeverity.Error,
                    service.Key.ToString(),
                    null,
                    $"no caller can reach it: {reason}",
                    "Add an ALLOW rule naming the callers (service accounts or namespaces), or narrow the DENY rule with from/to.");
            }
        }
    }

    private static bool Applies(AuthorizationPolicy policy, MeshService service, IReadOnlyList<Workload> pods) =>
        policy.Target.ServiceName is { } name
            ? string.Equals(name, service.Name, StringComparison.Ordinal)
            : policy.Target.Selector is { Count: > 0 } selector && pods.Count > 0 && pods.All(w => LabelSelector.Matches(selector, w.Labels));

    private static string? Unreachable(MeshService service, List<AuthorizationPolicy> applying, IReadOnlyList<MeshNamespace> namespaces)
    {
        if (applying.FirstOrDefault(p => p.Action == AuthorizationAction.Deny && p.Rules.Any(MatchesEverything)) is { } deny)
        {
            return $"{deny.Key} has a DENY rule without from/to, which matches every request";
        }

        var defaultDeny = namespaces.FirstOrDefault(n => string.Equals(n.Name, service.Namespace, StringComparison.Ordinal))?
            .Annotations.TryGetValue(SecurityAnnotations.DefaultPolicy, out var mode) == true
            && string.Equals(mode, "deny", StringComparison.OrdinalIgnoreCase);
        if (!defaultDeny || applying.Any(p => p.Action == AuthorizationAction.Allow && !p.Rules.IsDefaultOrEmpty))
        {
            return null;
        }

        var allows = applying.Where(p => p.Action == AuthorizationAction.Allow).Select(p => p.Key.ToString()).ToList();
        return allows.Count == 0
            ? $"Namespace {service.Namespace} has {SecurityAnnotations.DefaultPolicy}=deny and no ALLOW policy applies to it"
            : $"Namespace {service.Namespace} has {SecurityAnnotations.DefaultPolicy}=deny and its ALLOW policies ({string.Join(", ", allows)}) have no rules";
    }

    private static bool MatchesEverything(AuthorizationRule rule) =>
        (rule.From.IsDefaultOrEmpty || rule.From.Any(f => f.ServiceAccounts.IsDefaultOrEmpty && f.Namespaces.IsDefaultOrEmpty))
        && (rule.To.IsDefaultOrEmpty || rule.To.Any(t => t.Ports.IsDefaultOrEmpty && t.Methods.IsDefaultOrEmpty && t.Paths.IsDefaultOrEmpty));
}

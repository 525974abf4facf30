using System.Globalization;
using MeshNet.Model;
using MeshNet.Model.Traffic;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>TrafficPolicy and TrafficRoute checks: targets that exist, backends that exist, weights, subsets.</summary>
internal static class TrafficAnalyzer
{
    public static IEnumerable<AnalysisFinding> Analyze(AnalysisInput input)
    {
        var services = input.Services.ToDictionary(s => (s.Namespace, s.Name));
        foreach (var policy in input.TrafficPolicies.OrderBy(p => p.Key, ResourceKey.Ordinal))
        {
            if (TargetProblem(policy.Namespace, policy.Target, services) is { } problem)
            {
                yield return new AnalysisFinding(
                    FindingCodes.PolicyTargetMissing,
                    FindingSeverity.Error,
                    policy.Key.ToString(),
                    "spec.targetRef",
                    problem,
                    "Point targetRef at an existing Service (and port) in the policy's namespace; the policy applies to nothing.");
            }
        }

        foreach (var route in input.TrafficRoutes.OrderBy(r => r.Key, ResourceKey.Ordinal))
        {
            foreach (var finding in AnalyzeRoute(route, services, input.Workloads))
            {
                yield return finding;
            }
        }
    }

    private static IEnumerable<AnalysisFinding> AnalyzeRoute(
        TrafficRoute route, Dictionary<(string, string), MeshService> services, IReadOnlyList<Workload> workloads)
    {
        var resource = route.Key.ToString();
        if (TargetProblem(route.Namespace, route.Target, services) is { } problem)
        {
            yield return new AnalysisFinding(
                FindingCodes.RouteTargetMissing,
                FindingSeverity.Error,
                resource,
                "spec.targetRef",
                problem,
                "Point targetRef at an existing Service (and port) in the route's namespace; the route applies to nothing.");
        }

        services.TryGetValue((route.Namespace, route.Target.Name), out var target);
        for (var r = 0; r < route.Rules.Length; r++)
        {
            var rule = route.Rules[r];
            if (!rule.Backends.IsDefaultOrEmpty && rule.Backends.Sum(b => b.Weight) == 0)
            {
                yield return new AnalysisFinding(
                    FindingCodes.RouteWeightsZero,
                    FindingSeverity.Error,
                    resource,
                    Field(r, null, "weight"),
                    "the backends' weights sum to 0: matching requests have nowhere to go",
                    "Give at least one backend a positive weight (weights are relative, e.g. 90 and 10).");
            }

            for (var b = 0; b < rule.Backends.Length; b++)
            {
                var backend = rule.Backends[b];
                if (backend.Service is { } name && !services.ContainsKey((route.Namespace, name)))
                {
                    yield return new AnalysisFinding(
                        FindingCodes.RouteBackendMissing,
                        FindingSeverity.Error,
                        resource,
                        Field(r, b, "service"),
                        $"backend Service {route.Namespace}/{name} does not exist",
                        "Create the Service or fix the backend's name (backends are Services in the route's namespace).");
                }

                if (backend.Subset is { Count: > 0 } subset && backend.Weight > 0 && target?.Selector is { Count: > 0 } selector)
                {
                    var selected = workloads.Where(w => string.Equals(w.Namespace, route.Namespace, StringComparison.Ordinal)
                        && LabelSelector.Matches(selector, w.Labels)).ToList();
                    if (selected.Count > 0 && !selected.Any(w => LabelSelector.Matches(subset, w.Labels)))
                    {
                        var closest = LabelDistance.Closest(subset, selected);
                        yield return new AnalysisFinding(
                            FindingCodes.SubsetMatchesNoEndpoint,
                            FindingSeverity.Error,
                            resource,
                            Field(r, b, "subset"),
                            $"subset {LabelDistance.Format(subset)} matches none of {target.Key}'s pods"
                                + (closest is null ? string.Empty : $": {LabelDistance.Describe(closest, subset).Replace("selector wants", "subset wants", StringComparison.Ordinal)}"),
                            string.Create(CultureInfo.InvariantCulture, $"Fix the subset labels, or deploy pods carrying them; its {backend.Weight} weight gets 503 no-healthy-endpoints."));
                    }
                }
            }
        }
    }

    private static string? TargetProblem(string ns, PolicyTarget target, Dictionary<(string, string), MeshService> services)
    {
        if (!string.Equals(target.Kind, ResourceKinds.Service, StringComparison.Ordinal))
        {
            return $"targetRef kind {target.Kind} is not supported (only Service)";
        }

        if (!services.TryGetValue((ns, target.Name), out var service))
        {
            return $"target Service {ns}/{target.Name} does not exist";
        }

        return target.Port is { } port && !service.Ports.Any(p => p.Port == port)
            ? string.Create(CultureInfo.InvariantCulture, $"target Service {ns}/{target.Name} has no port {port}")
            : null;
    }

    private static string Field(int rule, int? backend, string leaf) =>
        backend is { } b
            ? string.Create(CultureInfo.InvariantCulture, $"spec.rules[{rule}].backends[{b}].{leaf}")
            : string.Create(CultureInfo.InvariantCulture, $"spec.rules[{rule}].backends[*].{leaf}");
}

using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using MeshNet.Model;
using MeshNet.Model.Traffic;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>Which TrafficRoute rule a request matches, first match wins, as the compiled routes order them.</summary>
internal static class ExplainRouting
{
    /// <summary>The heaviest backend of the matching rule; null when no route applies (the Service's own endpoints).</summary>
    public static RouteBackend? Choose(
        AnalysisInput input, MeshService service, int port, string path, string method, ImmutableArray<ExplanationStep>.Builder steps)
    {
        var route = input.TrafficRoutes
            .Where(r => string.Equals(r.Namespace, service.Namespace, StringComparison.Ordinal)
                && string.Equals(r.Target.Name, service.Name, StringComparison.Ordinal)
                && (r.Target.Port is null || r.Target.Port == port))
            .OrderBy(r => r.Target.Port is null ? 1 : 0)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        if (route is null)
        {
            steps.Add(new ExplanationStep("route", null, "no TrafficRoute: every endpoint of the Service, round robin"));
            return null;
        }

        for (var i = 0; i < route.Rules.Length; i++)
        {
            var rule = route.Rules[i];
            if (!rule.Matches.IsDefaultOrEmpty && !rule.Matches.Any(m => Matches(m, path, method)))
            {
                continue;
            }

            var backends = string.Join(", ", rule.Backends.Select(Describe));
            steps.Add(new ExplanationStep("route", route.Key.ToString(), string.Create(CultureInfo.InvariantCulture, $"rule {i} matches {method} {path}: {backends}")));
            return rule.Backends.OrderByDescending(b => b.Weight).FirstOrDefault();
        }

        steps.Add(new ExplanationStep("route", route.Key.ToString(), $"no rule matches {method} {path} (header matches are not known here): the Service's default route applies"));
        return null;
    }

    private static bool Matches(RouteMatch match, string path, string method)
    {
        if (match.Method is { } m && !string.Equals(m, method, StringComparison.Ordinal))
        {
            return false;
        }

        if (!match.Headers.IsDefaultOrEmpty)
        {
            return false;
        }

        return match.Path switch
        {
            null => true,
            { Type: PathMatchType.Exact } p => string.Equals(p.Value, path, StringComparison.Ordinal),
            { Type: PathMatchType.PathPrefix } p => PrefixMatches(p.Value, path),
            { Type: PathMatchType.RegularExpression } p => Regex.IsMatch(path, $"^(?:{p.Value})$", RegexOptions.None, TimeSpan.FromSeconds(1)),
            _ => false,
        };
    }

    /// <summary>Gateway API PathPrefix: whole segments, so /api matches /api and /api/x but not /apis.</summary>
    private static bool PrefixMatches(string prefix, string path)
    {
        var trimmed = prefix.TrimEnd('/');
        return trimmed.Length == 0
            || string.Equals(path, trimmed, StringComparison.Ordinal)
            || path.StartsWith(trimmed + "/", StringComparison.Ordinal);
    }

    private static string Describe(RouteBackend backend)
    {
        var target = backend.Service ?? "(target)";
        var subset = backend.Subset is { Count: > 0 } s ? $" subset {LabelDistance.Format(s)}" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{target}{subset} weight {backend.Weight}");
    }
}

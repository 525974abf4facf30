using System.Collections.Immutable;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>Which workload a selector almost matched, and what differs: the hint that turns "no endpoints" into a fix.</summary>
internal static class LabelDistance
{
    /// <summary>Selector pairs the labels do not satisfy (missing key or other value).</summary>
    public static int Misses(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count(p => !labels.TryGetValue(p.Key, out var v) || !string.Equals(v, p.Value, StringComparison.Ordinal));

    /// <summary>
    /// The workload missing the fewest selector pairs, among those sharing at least one selector key (app=post is a
    /// near miss for app=posts; a pod without an app label is not); ties go to the name first in ordinal order.
    /// </summary>
    public static Workload? Closest(IReadOnlyDictionary<string, string> selector, IEnumerable<Workload> candidates) =>
        candidates
            .Select(w => (Workload: w, Misses: Misses(selector, w.Labels)))
            .Where(c => c.Misses < selector.Count || selector.Keys.Any(c.Workload.Labels.ContainsKey))
            .OrderBy(c => c.Misses)
            .ThenBy(c => c.Workload.Name, StringComparer.Ordinal)
            .Select(c => c.Workload)
            .FirstOrDefault();

    /// <summary>"pod posts-v1 has app=post, selector wants app=posts" (or "has no tier label").</summary>
    public static string Describe(Workload workload, IReadOnlyDictionary<string, string> selector)
    {
        var differences = selector
            .Where(p => !workload.Labels.TryGetValue(p.Key, out var v) || !string.Equals(v, p.Value, StringComparison.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => workload.Labels.TryGetValue(p.Key, out var actual)
                ? $"has {p.Key}={actual}, selector wants {p.Key}={p.Value}"
                : $"has no {p.Key} label, selector wants {p.Key}={p.Value}");
        return $"pod {workload.Name} {string.Join("; ", differences)}";
    }

    public static string Format(IReadOnlyDictionary<string, string> labels) =>
        string.Join(",", labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    public static ImmutableArray<Workload> Matching(IReadOnlyDictionary<string, string> selector, IEnumerable<Workload> workloads) =>
        [.. workloads.Where(w => LabelSelector.Matches(selector, w.Labels))];
}

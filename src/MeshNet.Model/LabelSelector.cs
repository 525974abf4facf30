using System.Collections.Immutable;

namespace MeshNet.Model;

/// <summary>Equality-based label selection, as a Service's spec.selector does it.</summary>
public static class LabelSelector
{
    /// <summary>
    /// True when every selector pair is present in <paramref name="labels"/>. An empty selector matches
    /// nothing: Kubernetes treats a Service with an empty selector as having no selector.
    /// </summary>
    public static bool Matches(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector.Count == 0)
        {
            return false;
        }

        foreach (var (key, value) in selector)
        {
            if (!labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public static ImmutableDictionary<string, string> Empty { get; } = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
}

namespace MeshNet.ControlPlane.Stats;

/// <summary>
/// A metric's labels, sorted by name, with value equality so that the same series from two scrapes compare equal.
/// A missing label reads as "", as in Prometheus (an empty label value and an absent label are the same series).
/// </summary>
internal sealed class LabelSet : IEquatable<LabelSet>
{
    private readonly KeyValuePair<string, string>[] _pairs;
    private readonly int _hash;

    private LabelSet(KeyValuePair<string, string>[] sortedPairs)
    {
        _pairs = sortedPairs;
        var hash = default(HashCode);
        foreach (var (name, value) in sortedPairs)
        {
            hash.Add(name, StringComparer.Ordinal);
            hash.Add(value, StringComparer.Ordinal);
        }

        _hash = hash.ToHashCode();
    }

    public static LabelSet Empty { get; } = new([]);

    public int Count => _pairs.Length;

    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    /// <summary>The value of <paramref name="name"/>, or "" when the set has no such label.</summary>
    public string this[string name]
    {
        get
        {
            foreach (var (key, value) in _pairs)
            {
                if (string.Equals(key, name, StringComparison.Ordinal))
                {
                    return value;
                }
            }

            return string.Empty;
        }
    }

    /// <exception cref="ArgumentException">When a label name occurs twice.</exception>
    public static LabelSet From(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        // Empty values are dropped: Prometheus treats label="" as the label being absent.
        var sorted = pairs.Where(p => p.Value.Length > 0).OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (string.Equals(sorted[i - 1].Key, sorted[i].Key, StringComparison.Ordinal))
            {
                throw new ArgumentException($"label \"{sorted[i].Key}\" given twice", nameof(pairs));
            }
        }

        return sorted.Length == 0 ? Empty : new LabelSet(sorted);
    }

    public bool Equals(LabelSet? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other._hash != _hash || other._pairs.Length != _pairs.Length)
        {
            return false;
        }

        for (var i = 0; i < _pairs.Length; i++)
        {
            if (!string.Equals(_pairs[i].Key, other._pairs[i].Key, StringComparison.Ordinal) ||
                !string.Equals(_pairs[i].Value, other._pairs[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as LabelSet);

    public override int GetHashCode() => _hash;

    public override string ToString() => "{" + string.Join(',', _pairs.Select(p => $"{p.Key}=\"{p.Value}\"")) + "}";
}

/// <summary>One sample line of the text exposition format: a metric name, its labels and its value.</summary>
internal readonly record struct MetricSample(string Name, LabelSet Labels, double Value);

/// <summary>The identity of a time series: metric name plus labels.</summary>
internal readonly record struct SeriesId(string Name, LabelSet Labels);

using System.Globalization;

namespace MeshNet.ControlPlane.Stats;

/// <summary>
/// Prometheus' histogram_quantile over cumulative buckets: find the bucket holding the q-th observation and
/// interpolate linearly inside it, assuming observations spread evenly between its bounds. The lowest bucket starts
/// at 0 (durations are never negative); a rank that falls in the +Inf bucket answers the highest finite bound.
/// </summary>
internal static class HistogramQuantile
{
    /// <param name="buckets">Upper bound ("le") to cumulative count; must include +Inf.</param>
    /// <returns>NaN when there is no observation, no +Inf bucket, or fewer than two buckets.</returns>
    public static double Compute(double q, IReadOnlyDictionary<double, double> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        if (double.IsNaN(q))
        {
            return double.NaN;
        }

        if (q < 0)
        {
            return double.NegativeInfinity;
        }

        if (q > 1)
        {
            return double.PositiveInfinity;
        }

        var sorted = buckets.OrderBy(b => b.Key).ToArray();
        if (sorted.Length < 2 || !double.IsPositiveInfinity(sorted[^1].Key))
        {
            return double.NaN;
        }

        // Buckets scraped a moment apart from each other can be slightly non-monotonic; Prometheus evens them out
        // the same way, so a quantile never falls backwards.
        var counts = new double[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            counts[i] = i == 0 ? sorted[i].Value : Math.Max(counts[i - 1], sorted[i].Value);
        }

        var total = counts[^1];
        if (total <= 0)
        {
            return double.NaN;
        }

        var rank = q * total;
        var index = Array.FindIndex(counts, c => c >= rank);
        if (index == sorted.Length - 1)
        {
            return sorted[^2].Key;
        }

        if (index == 0 && sorted[0].Key <= 0)
        {
            return sorted[0].Key;
        }

        var lower = index == 0 ? 0 : sorted[index - 1].Key;
        var upper = sorted[index].Key;
        var below = index == 0 ? 0 : counts[index - 1];
        var inBucket = counts[index] - below;
        return inBucket <= 0 ? upper : lower + ((upper - lower) * ((rank - below) / inBucket));
    }

    /// <summary>An "le" label value as a bound: "0.005", "+Inf"; null when it is not a number.</summary>
    public static double? ParseBound(string le)
    {
        ArgumentNullException.ThrowIfNull(le);
        if (le.Equals("+Inf", StringComparison.OrdinalIgnoreCase) || le.Equals("Inf", StringComparison.OrdinalIgnoreCase))
        {
            return double.PositiveInfinity;
        }

        return double.TryParse(le, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound) && !double.IsNaN(bound) ? bound : null;
    }
}

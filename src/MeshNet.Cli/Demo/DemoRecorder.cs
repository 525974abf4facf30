using System.Collections.Immutable;

namespace MeshNet.Cli.Demo;

/// <summary>
/// Collects outcomes from concurrent workers (one lock; a demo makes at most a few thousand requests per second)
/// and turns them into a <see cref="DemoSummary"/>.
/// </summary>
internal sealed class DemoRecorder
{
    private readonly Lock _lock = new();
    private readonly List<double> _latenciesMs = [];
    private readonly Dictionary<(string Service, string Pod, string Version), int> _answers = [];
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private int _succeeded;

    public void Record(DemoOutcome outcome)
    {
        lock (_lock)
        {
            _latenciesMs.Add(outcome.Latency.TotalMilliseconds);
            if (outcome.Failure is { } failure)
            {
                _failures[failure] = _failures.GetValueOrDefault(failure) + 1;
            }
            else
            {
                _succeeded++;
            }

            foreach (var answer in outcome.Answers)
            {
                var key = (answer.Service, answer.Pod, answer.Version);
                _answers[key] = _answers.GetValueOrDefault(key) + 1;
            }
        }
    }

    /// <summary>Requests so far, successes, and the median latency in ms: what the progress line shows.</summary>
    public (int Requests, int Succeeded, double P50Ms) Snapshot()
    {
        lock (_lock)
        {
            return (_latenciesMs.Count, _succeeded, Percentile([.. _latenciesMs], 0.50));
        }
    }

    public DemoSummary Summarize(int pods, TimeSpan ready, TimeSpan duration, IEnumerable<string> expectedServices)
    {
        lock (_lock)
        {
            var latencies = _latenciesMs.ToArray();
            Array.Sort(latencies);
            var services = _answers
                .GroupBy(a => a.Key.Service, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new ServiceAnswers(
                    g.Key,
                    [.. g.OrderBy(a => a.Key.Pod, StringComparer.Ordinal).Select(a => new ReplicaAnswers(a.Key.Pod, a.Key.Version, a.Value))]))
                .ToImmutableArray();
            var heard = services.Select(s => s.Service).ToHashSet(StringComparer.Ordinal);
            return new DemoSummary(
                pods,
                Math.Round(ready.TotalSeconds, 2),
                Math.Round(duration.TotalSeconds, 2),
                latencies.Length,
                _succeeded,
                latencies.Length == 0 ? 0 : Math.Round((double)_succeeded / latencies.Length, 4),
                Math.Round(PercentileOfSorted(latencies, 0.50), 2),
                Math.Round(PercentileOfSorted(latencies, 0.99), 2),
                services,
                [.. expectedServices.Where(s => !heard.Contains(s)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                [.. _failures.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal).Select(f => new FailureCount(f.Key, f.Value))]);
        }
    }

    private static double Percentile(double[] values, double quantile)
    {
        Array.Sort(values);
        return PercentileOfSorted(values, quantile);
    }

    /// <summary>Nearest-rank percentile: the smallest value with at least <paramref name="quantile"/> of all at or below it.</summary>
    internal static double PercentileOfSorted(IReadOnlyList<double> sorted, double quantile)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(quantile * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

using System.Globalization;
using MeshNet.ControlPlane.Hosting;

namespace MeshNet.ControlPlane.Stats;

/// <summary>The query of GET /debug/stat/history, checked against the scrape interval and the retention.</summary>
/// <param name="Source">The calling workload for an edge's series; null for every caller of the Service.</param>
internal sealed record StatHistoryParameters(ServiceKey Service, EdgeSource? Source, TimeSpan Window, TimeSpan Step)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(5);

    /// <summary>A chart needs no more points than it has pixels to spare; this also bounds the query's cost.</summary>
    public const int MaxPoints = 300;

    /// <summary>The default number of points: one every 5 s over the default window.</summary>
    private const int DefaultPoints = 60;

    /// <summary>Either the parameters or the message of a 400 that names the parameter and what it accepts.</summary>
    public static (StatHistoryParameters? Parameters, string? Error) Parse(
        string? ns, string? service, string? source, string? window, string? step, StatsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(ns))
        {
            return (null, "namespace: required, the Service's namespace");
        }

        if (string.IsNullOrEmpty(service))
        {
            return (null, "service: required, the Service's name");
        }

        EdgeSource? from = null;
        if (!string.IsNullOrEmpty(source))
        {
            var slash = source.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == source.Length - 1 || source.IndexOf('/', slash + 1) >= 0)
            {
                return (null, $"source: expected NAMESPACE/WORKLOAD (the calling workload), got \"{source}\"");
            }

            from = new EdgeSource(source[..slash], source[(slash + 1)..]);
        }

        var span = string.IsNullOrEmpty(window) ? TimeSpan.FromTicks(Math.Min(DefaultWindow.Ticks, options.Retention.Ticks)) : StatsEndpoints.ParseWindow(window, options);
        if (span is not { } windowSpan)
        {
            return (null, StatsEndpoints.WindowError(window, options));
        }

        var minimum = MinimumStep(windowSpan, options);
        if (string.IsNullOrEmpty(step))
        {
            return (new StatHistoryParameters(new ServiceKey(ns, service), from, windowSpan, DefaultStep(windowSpan, options)), null);
        }

        TimeSpan? stepSpan;
        try
        {
            stepSpan = ControlPlaneOptions.ParseDuration("step", step);
        }
        catch (FormatException)
        {
            stepSpan = null;
        }

        return stepSpan is { } parsed && parsed >= minimum && parsed <= windowSpan
            ? (new StatHistoryParameters(new ServiceKey(ns, service), from, windowSpan, parsed), null)
            : (null, $"step: expected a duration with a unit (ms, s, m) from {Format(minimum)} to the window ({Format(windowSpan)}): " +
                $"at least the scrape interval and at most {MaxPoints} points; got \"{step}\"");
    }

    /// <summary>
    /// Two scrape intervals, or a sixtieth of the window when that is longer, rounded up to whole seconds. A step of
    /// one interval would hold one scrape on average, and the scrapes' own jitter would leave some steps with none
    /// (a gap in the chart) and the next with two; two intervals always hold one.
    /// </summary>
    internal static TimeSpan DefaultStep(TimeSpan window, StatsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var step = TimeSpan.FromTicks(Math.Max(window.Ticks / DefaultPoints, 2 * options.Interval.Ticks));
        if (step >= TimeSpan.FromSeconds(1))
        {
            step = TimeSpan.FromSeconds(Math.Ceiling(step.TotalSeconds));
        }

        return TimeSpan.FromTicks(Math.Clamp(step.Ticks, MinimumStep(window, options).Ticks, window.Ticks));
    }

    /// <summary>The scrape interval (1 s when scraping is off), or window/<see cref="MaxPoints"/> when longer.</summary>
    internal static TimeSpan MinimumStep(TimeSpan window, StatsOptions options)
    {
        var interval = options.Interval > TimeSpan.Zero ? options.Interval : TimeSpan.FromSeconds(1);
        var forPoints = TimeSpan.FromTicks((window.Ticks + MaxPoints - 1) / MaxPoints);
        return TimeSpan.FromTicks(Math.Min(Math.Max(interval.Ticks, forPoints.Ticks), window.Ticks));
    }

    /// <summary>"5s", "250ms", "15m", "1.5s": the form the parameters are written in.</summary>
    internal static string Format(TimeSpan span) =>
        span.TotalMilliseconds % 60_000 == 0 ? $"{span.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m"
        : span.TotalMilliseconds >= 1000 ? $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s"
        : $"{span.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms";
}

/// <summary>A calling workload, as the edges of /debug/edges name it.</summary>
internal readonly record struct EdgeSource(string Namespace, string Workload);

namespace MeshNet.ControlPlane.Tracking;

/// <summary>The debounce decision as a pure function of three instants, so it is tested without clocks.</summary>
internal static class DebouncePolicy
{
    /// <summary>
    /// Returns <see cref="TimeSpan.Zero"/> when the batch should be pushed now, otherwise how long to wait
    /// before asking again: until the quiet period ends or the maximum delay is reached, whichever is first.
    /// </summary>
    /// <param name="firstChange">Elapsed time since the first change of the burst.</param>
    /// <param name="lastChange">Elapsed time since the most recent change.</param>
    public static TimeSpan RemainingWait(TimeSpan firstChange, TimeSpan lastChange, DebounceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var untilQuiet = options.Quiet - lastChange;
        var untilMax = options.MaxDelay - firstChange;
        var wait = untilQuiet < untilMax ? untilQuiet : untilMax;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }
}

namespace MeshNet.Proxy.Discovery;

/// <summary>
/// Jittered exponential backoff for reconnecting to the control plane: 100 ms doubling to 5 s, each delay
/// multiplied by a factor in [0.8, 1.2] so a fleet of sidecars restarted together does not reconnect in lockstep.
/// Not thread-safe: one discovery loop owns it.
/// </summary>
internal sealed class ReconnectBackoff(TimeSpan initial, TimeSpan maximum, double jitter, Func<double> nextUnitRandom)
{
    public static readonly TimeSpan DefaultInitial = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan DefaultMaximum = TimeSpan.FromSeconds(5);
    public const double DefaultJitter = 0.2;

    private readonly TimeSpan _initial = initial;
    private TimeSpan _next = initial;

    public ReconnectBackoff()
        : this(DefaultInitial, DefaultMaximum, DefaultJitter, Random.Shared.NextDouble)
    {
    }

    /// <summary>The delay before the next attempt; the one after it doubles, up to the maximum.</summary>
    public TimeSpan Next()
    {
        var baseDelay = _next;
        _next = TimeSpan.FromTicks(Math.Min(maximum.Ticks, baseDelay.Ticks * 2));
        var factor = 1 + (((nextUnitRandom() * 2) - 1) * jitter);
        return TimeSpan.FromTicks((long)(baseDelay.Ticks * factor));
    }

    /// <summary>Called once a stream delivered a response: the control plane is healthy again.</summary>
    public void Reset() => _next = _initial;
}

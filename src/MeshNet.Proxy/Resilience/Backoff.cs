namespace MeshNet.Proxy.Resilience;

/// <summary>
/// Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): the delay before
/// retry n (0-based) is uniform in [0, min(max, base × 2^n)], so retries from many clients spread out.
/// </summary>
internal static class Backoff
{
    public static TimeSpan FullJitter(int retry, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        if (baseDelay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var ceiling = baseDelay.Ticks;
        for (var i = 0; i < retry && ceiling < maxDelay.Ticks; i++)
        {
            ceiling *= 2;
        }

        ceiling = Math.Min(ceiling, Math.Max(maxDelay.Ticks, baseDelay.Ticks));
        return TimeSpan.FromTicks(Random.Shared.NextInt64(ceiling + 1));
    }
}

using Google.Protobuf.WellKnownTypes;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// protobuf Durations as the wire allows them (seconds within ±10,000 years, nanos within ±999,999,999 with the
/// seconds' sign) and as TimeSpan can hold them. Duration.ToTimeSpan throws on anything else, so the validator
/// checks with this first and the rest of the sidecar converts only validated values.
/// </summary>
internal static class DurationRules
{
    private const int NanosPerSecond = 1_000_000_000;

    public static bool TryToTimeSpan(Duration duration, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var (seconds, nanos) = (duration.Seconds, duration.Nanos);
        if (seconds is > Duration.MaxSeconds or < Duration.MinSeconds || nanos is >= NanosPerSecond or <= -NanosPerSecond ||
            (seconds < 0 && nanos > 0) || (seconds > 0 && nanos < 0))
        {
            return false;
        }

        value = duration.ToTimeSpan();
        return true;
    }

    /// <summary>"is negative" / "is not a valid duration" for a validator message; null when fine or unset.</summary>
    public static string? Problem(Duration? duration) =>
        duration is null ? null
        : !TryToTimeSpan(duration, out var value) ? "is not a valid duration"
        : value < TimeSpan.Zero ? "is negative"
        : null;
}

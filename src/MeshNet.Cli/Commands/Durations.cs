using System.Globalization;

namespace MeshNet.Cli.Commands;

/// <summary>Durations as the other MeshNet tools write them: "500ms", "20s", "1.5m", "1h".</summary>
internal static class Durations
{
    private static readonly (string Suffix, double Seconds)[] Units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        foreach (var (suffix, seconds) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
                && !(suffix == "m" && text.EndsWith("ms", StringComparison.Ordinal)))
            {
                duration = TimeSpan.FromSeconds(value * seconds);
                return duration > TimeSpan.Zero;
            }
        }

        return false;
    }
}

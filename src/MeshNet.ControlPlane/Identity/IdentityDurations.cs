using System.Globalization;
using MeshNet.ControlPlane.Hosting;

namespace MeshNet.ControlPlane.Identity;

/// <summary>Certificate and token lifetimes are hours or days long, so they also take "h" ("24h") on top of ms, s and m.</summary>
internal static class IdentityDurations
{
    public static TimeSpan Parse(string flag, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.EndsWith('h') && double.TryParse(value[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var hours))
        {
            return TimeSpan.FromHours(hours);
        }

        try
        {
            return ControlPlaneOptions.ParseDuration(flag, value);
        }
        catch (FormatException)
        {
            throw new FormatException($"{flag}: expected a duration with a unit (ms, s, m, h), got \"{value}\"");
        }
    }
}

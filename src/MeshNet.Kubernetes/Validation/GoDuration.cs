using System.Globalization;

namespace MeshNet.Kubernetes.Validation;

/// <summary>
/// Go's duration syntax (time.ParseDuration): a sequence of decimal numbers, each with a unit ("300ms", "1.5h",
/// "2h45m"), or a bare "0". Signs are refused: policies have no use for negative durations. Values are bounded to
/// [1ms, 24h]: anything shorter cannot be enforced by a proxy, anything longer is a typo.
/// </summary>
public static class GoDuration
{
    public static TimeSpan Min { get; } = TimeSpan.FromMilliseconds(1);

    public static TimeSpan Max { get; } = TimeSpan.FromHours(24);

    // Nanoseconds per unit; the longest unit text first so "ms" is not read as "m" followed by garbage.
    private static readonly (string Unit, decimal Nanoseconds)[] Units =
    [
        ("ns", 1m), ("us", 1_000m), ("µs", 1_000m), ("μs", 1_000m), ("ms", 1_000_000m),
        ("s", 1_000_000_000m), ("m", 60_000_000_000m), ("h", 3_600_000_000_000m),
    ];

    private const decimal Clamp = 1e15m;

    /// <summary>Null when <paramref name="text"/> is a valid duration in range, else the reason it is not.</summary>
    public static string? Validate(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text.StartsWith('-'))
        {
            return $"invalid duration \"{text}\": must not be negative";
        }

        if (!TryParseNanoseconds(text, out var nanoseconds))
        {
            return $"invalid duration \"{text}\": expected numbers with units (h, m, s, ms, us, ns), such as 500ms, 2s or 1m30s";
        }

        if (nanoseconds < Min.Ticks * 100m || nanoseconds > Max.Ticks * 100m)
        {
            return $"invalid duration \"{text}\": must be between 1ms and 24h";
        }

        value = TimeSpan.FromTicks((long)(nanoseconds / 100m));
        return null;
    }

    /// <summary>For values already validated: throws <see cref="FormatException"/> on anything else.</summary>
    public static TimeSpan Parse(string text) =>
        Validate(text, out var value) is { } error ? throw new FormatException(error) : value;

    private static bool TryParseNanoseconds(string text, out decimal nanoseconds)
    {
        nanoseconds = 0m;
        if (text == "0")
        {
            return true;
        }

        if (text.Length == 0)
        {
            return false;
        }

        var position = 0;
        while (position < text.Length)
        {
            var start = position;
            while (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '.'))
            {
                position++;
            }

            var number = text.AsSpan(start, position - start);
            if (number.Length is 0 or > 28 || number[0] == '.' || number[^1] == '.'
                || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unit = Array.FindIndex(Units, u => text.AsSpan(position).StartsWith(u.Unit, StringComparison.Ordinal)
                && (position + u.Unit.Length == text.Length || !char.IsLetter(text[position + u.Unit.Length])));
            if (unit < 0)
            {
                return false;
            }

            position += Units[unit].Unit.Length;

            // Clamped far above the 24h bound so that decimal cannot overflow, however long the text.
            nanoseconds = Math.Min(nanoseconds + (Math.Min(amount, Clamp) * Units[unit].Nanoseconds), Clamp);
        }

        return true;
    }
}

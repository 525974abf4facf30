using System.Text.RegularExpressions;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// Regular expressions of route matches: anchored to the whole value, culture-invariant, with a match timeout so a
/// pattern that backtracks catastrophically on some input costs one failed match, not a thread.
/// </summary>
internal static class RouteRegex
{
    /// <summary>
    /// 10 ms: paths and header values are short; an honest pattern matches them in microseconds, so only a
    /// pathological one (nested quantifiers on a long input) comes near it. A timeout counts as no match.
    /// </summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(10);

    /// <summary>Builds the anchored regex; throws <see cref="ArgumentException"/> when the pattern does not parse.</summary>
    /// <param name="compiled">Compile to IL: worth it for the route table (built once, matched per request), not for validation.</param>
    public static Regex Create(string pattern, bool compiled)
    {
        var options = RegexOptions.CultureInvariant | (compiled ? RegexOptions.Compiled : RegexOptions.None);
        return new Regex(@"\A(?:" + pattern + @")\z", options, MatchTimeout);
    }

    /// <summary>The compile error, or null when <paramref name="pattern"/> is a valid expression.</summary>
    public static string? Check(string pattern)
    {
        try
        {
            // Parsed unwrapped so the message quotes the user's pattern and offsets; a pattern that parses alone
            // has balanced groups, so the anchored form parses too.
            _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    public static bool IsMatch(Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}

/// <summary>
/// Compiled route regexes by pattern, kept from one route table to the next so an endpoint change (which rebuilds
/// the table) does not recompile them. Holds only the patterns of the latest build. One builder at a time.
/// </summary>
internal sealed class RouteRegexCache
{
    private Dictionary<string, Regex> _current = new(StringComparer.Ordinal);
    private Dictionary<string, Regex> _next = new(StringComparer.Ordinal);

    public Regex Get(string pattern)
    {
        if (!_next.TryGetValue(pattern, out var regex))
        {
            regex = _current.TryGetValue(pattern, out var kept) ? kept : RouteRegex.Create(pattern, compiled: true);
            _next[pattern] = regex;
        }

        return regex;
    }

    /// <summary>Ends a build: patterns not asked for since the previous call are forgotten.</summary>
    public void Commit()
    {
        _current = _next;
        _next = new Dictionary<string, Regex>(StringComparer.Ordinal);
    }
}

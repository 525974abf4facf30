using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MeshNet.Proxy.Configuration;

/// <summary>One RouteMatch: every condition set must hold (path, all headers, method).</summary>
internal sealed class RequestMatch(PathMatcher? path, HeaderMatcher[] headers, string? method)
{
    public bool Matches(HttpRequest request)
    {
        if (method is not null && !string.Equals(request.Method, method, StringComparison.Ordinal))
        {
            return false;
        }

        if (path is not null && !path.Matches(request.Path.Value ?? "/"))
        {
            return false;
        }

        foreach (var header in headers)
        {
            if (!header.Matches(request.Headers))
            {
                return false;
            }
        }

        return true;
    }
}

internal enum PathMatchKind
{
    Prefix,
    Exact,
    Regex,
}

/// <summary>Path conditions. Paths compare case-sensitively, as URLs do.</summary>
internal sealed class PathMatcher
{
    private readonly PathMatchKind _kind;
    private readonly string _value;
    private readonly Regex? _regex;

    private PathMatcher(PathMatchKind kind, string value, Regex? regex)
    {
        _kind = kind;
        _value = value;
        _regex = regex;
    }

    /// <summary>
    /// Whole path segments (Gateway API PathPrefix): "/api" and "/api/" both match "/api", "/api/" and "/api/x" but
    /// not "/apix". Null for a prefix that matches every path ("" or "/").
    /// </summary>
    public static PathMatcher? Prefix(string prefix)
    {
        var trimmed = prefix.TrimEnd('/');
        return trimmed.Length == 0 ? null : new PathMatcher(PathMatchKind.Prefix, trimmed, null);
    }

    public static PathMatcher Exact(string path) => new(PathMatchKind.Exact, path, null);

    /// <param name="regex">Built by <see cref="RouteRegex"/>: anchored to the whole path, with a match timeout.</param>
    public static PathMatcher Pattern(Regex regex) => new(PathMatchKind.Regex, regex.ToString(), regex);

    public bool Matches(string path) => _kind switch
    {
        PathMatchKind.Prefix => path.StartsWith(_value, StringComparison.Ordinal) && (path.Length == _value.Length || path[_value.Length] == '/'),
        PathMatchKind.Exact => string.Equals(path, _value, StringComparison.Ordinal),
        _ => RouteRegex.IsMatch(_regex!, path),
    };
}

/// <summary>
/// One header condition. Names are case-insensitive (the request's header dictionary is); values compare
/// case-sensitively. A header sent several times matches when any one of its values does.
/// </summary>
internal sealed class HeaderMatcher(string name, string? exact, Regex? regex)
{
    public bool Matches(IHeaderDictionary headers)
    {
        if (!headers.TryGetValue(name, out var values) || StringValues.IsNullOrEmpty(values))
        {
            return false;
        }

        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i] ?? string.Empty;
            if (regex is null ? string.Equals(value, exact, StringComparison.Ordinal) : RouteRegex.IsMatch(regex, value))
            {
                return true;
            }
        }

        return false;
    }
}

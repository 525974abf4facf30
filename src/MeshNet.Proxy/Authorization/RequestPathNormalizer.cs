using System.Buffers;

namespace MeshNet.Proxy.Authorization;

/// <summary>Why a request path was refused (or <see cref="Normalized"/>).</summary>
internal enum PathVerdict
{
    Normalized,

    /// <summary>%2F or %5C (or a raw backslash): a slash the app may or may not treat as a separator.</summary>
    EncodedSeparator,

    /// <summary>%00, which some stacks end the string at.</summary>
    Nul,

    /// <summary>A '#': clients never send fragments, so one is an attempt to confuse.</summary>
    Fragment,

    /// <summary>".." above the root.</summary>
    EscapesRoot,

    /// <summary>Not a path: a bad escape, a control or non-ASCII character, no leading '/'.</summary>
    Malformed,
}

/// <summary>
/// Normalises a request path before it is authorised, so a policy on "/admin" cannot be bypassed with "/%61dmin",
/// "/x/../admin" or "//admin", and the app receives the very string that was authorised. RFC 3986 section 6.2.2:
/// percent-encoded unreserved characters are decoded, the escapes that remain get upper-case hex digits, dot
/// segments are removed (5.2.4, after decoding, so "%2E%2E" is ".."); additionally empty segments ("//") collapse.
/// Ambiguous paths are refused rather than guessed at (see <see cref="PathVerdict"/>).
/// <para>A path that is already normal comes back as the same string instance: no allocation on the common path.</para>
/// </summary>
internal static class RequestPathNormalizer
{
    private const int StackLimit = 512;

    /// <param name="path">The path part of the request target as it arrived (percent-encoded, without the query).</param>
    public static PathVerdict Normalize(string path, out string normalized)
    {
        ArgumentNullException.ThrowIfNull(path);
        normalized = path;
        if (path.Length == 0)
        {
            normalized = "/";
            return PathVerdict.Normalized;
        }

        if (path[0] != '/')
        {
            return PathVerdict.Malformed;
        }

        // Normalising never lengthens a path: decoding shrinks it, upper-casing hex keeps its length.
        char[]? rented = null;
        var buffer = path.Length <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(path.Length));
        try
        {
            var verdict = Normalize(path, buffer, out var length);
            if (verdict == PathVerdict.Normalized && !buffer[..length].SequenceEqual(path))
            {
                normalized = new string(buffer[..length]);
            }

            return verdict;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Writes the normal form into <paramref name="output"/>, which always ends in '/' between segments: a segment is
    /// appended, and judged when the next '/' (or the end) arrives.
    /// </summary>
    private static PathVerdict Normalize(ReadOnlySpan<char> path, Span<char> output, out int length)
    {
        length = 0;
        output[length++] = '/';
        var segmentStart = length;
        for (var i = 1; i <= path.Length; i++)
        {
            if (i == path.Length || path[i] == '/')
            {
                if (!EndSegment(output, ref length, segmentStart, last: i == path.Length))
                {
                    return PathVerdict.EscapesRoot;
                }

                segmentStart = length;
                continue;
            }

            var c = path[i];
            if (c == '%')
            {
                if (i + 2 >= path.Length || !char.IsAsciiHexDigit(path[i + 1]) || !char.IsAsciiHexDigit(path[i + 2]))
                {
                    return PathVerdict.Malformed;
                }

                var decoded = (char)((HexValue(path[i + 1]) << 4) | HexValue(path[i + 2]));
                i += 2;
                switch (decoded)
                {
                    case '/' or '\\':
                        return PathVerdict.EncodedSeparator;
                    case '\0':
                        return PathVerdict.Nul;
                    default:
                        if (IsUnreserved(decoded))
                        {
                            output[length++] = decoded;
                        }
                        else
                        {
                            output[length++] = '%';
                            output[length++] = char.ToUpperInvariant(path[i - 1]);
                            output[length++] = char.ToUpperInvariant(path[i]);
                        }

                        break;
                }

                continue;
            }

            switch (c)
            {
                case '#':
                    return PathVerdict.Fragment;
                case '\\':
                    return PathVerdict.EncodedSeparator;
                case <= ' ' or >= (char)0x7F:
                    return PathVerdict.Malformed;
                default:
                    output[length++] = c;
                    break;
            }
        }

        return PathVerdict.Normalized;
    }

    /// <summary>Judges the segment output[segmentStart..length]; false when ".." would climb above the root.</summary>
    private static bool EndSegment(Span<char> output, ref int length, int segmentStart, bool last)
    {
        var segment = output[segmentStart..length];
        if (segment.IsEmpty)
        {
            // "//" collapses; a trailing '/' is already in place.
            return true;
        }

        if (segment is ".")
        {
            length = segmentStart;
            return true;
        }

        if (segment is "..")
        {
            if (segmentStart == 1)
            {
                return false;
            }

            // Drop the parent: back to the '/' before it (output[segmentStart - 1] is the '/' ending the parent).
            length = output[..(segmentStart - 1)].LastIndexOf('/') + 1;
            return true;
        }

        if (!last)
        {
            output[length++] = '/';
        }

        return true;
    }

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Host names compare case-insensitively (RFC 3986 section 6.2.2.1); the normal form is lower case.</summary>
    public static string NormalizeHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.AsSpan().ContainsAnyInRange('A', 'Z') ? host.ToLowerInvariant() : host;
    }
}

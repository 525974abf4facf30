namespace MeshNet.Kubernetes.Validation;

/// <summary>
/// A policy path must already be in the normalised form the sidecar compares requests in (RFC 3986 section 6.2.2:
/// unreserved characters not percent-encoded, upper-case hex in the escapes that remain, no empty or dot segments),
/// or it could never match. "*" is only allowed as a trailing "/*" (a prefix).
/// </summary>
internal static class AuthorizationPaths
{
    public static string? Validate(string value)
    {
        if (value.Length == 0 || value[0] != '/')
        {
            return Invalid(value, "must start with /");
        }

        var body = value.EndsWith("/*", StringComparison.Ordinal) ? value[..^1] : value;
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '*')
            {
                return Invalid(value, "* is only allowed as a trailing /*");
            }

            if (c is '?' or '#')
            {
                return Invalid(value, "must not contain a query or fragment");
            }

            if (c is '\\' or <= ' ' or >= (char)0x7F)
            {
                return Invalid(value, "must contain only printable ASCII without spaces or backslashes");
            }

            if (c == '%' && EscapeError(body, i) is { } escape)
            {
                return Invalid(value, escape);
            }
        }

        foreach (var segment in body[1..].Split('/'))
        {
            if (segment is "." or "..")
            {
                return Invalid(value, "must not contain . or .. segments");
            }
        }

        return body.Contains("//", StringComparison.Ordinal) ? Invalid(value, "must not contain //") : null;
    }

    private static string? EscapeError(string path, int index)
    {
        if (index + 2 >= path.Length || !char.IsAsciiHexDigit(path[index + 1]) || !char.IsAsciiHexDigit(path[index + 2]))
        {
            return "% must start an escape of two hex digits";
        }

        if (char.IsAsciiLetterLower(path[index + 1]) || char.IsAsciiLetterLower(path[index + 2]))
        {
            return "escapes must use upper-case hex digits";
        }

        var decoded = (char)Convert.ToByte(path.Substring(index + 1, 2), 16);
        if (decoded is '/' or '\\' or '\0')
        {
            return "must not contain %2F, %5C or %00: requests with them are refused";
        }

        return char.IsAsciiLetterOrDigit(decoded) || decoded is '-' or '.' or '_' or '~'
            ? $"write '{decoded}' instead of its escape: requests are compared with unreserved characters decoded"
            : null;
    }

    private static string Invalid(string value, string reason) => $"invalid path \"{value}\": {reason}";
}

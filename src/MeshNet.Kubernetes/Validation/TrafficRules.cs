using System.Text.RegularExpressions;
using MeshNet.Kubernetes.Crds;

namespace MeshNet.Kubernetes.Validation;

/// <summary>Rules shared by TrafficPolicy and TrafficRoute: targets, durations, header names, regular expressions.</summary>
internal static partial class TrafficRules
{
    /// <summary>Bounds every match of a route's regular expression, so a pathological one cannot stall a sidecar.</summary>
    public static TimeSpan RegexMatchTimeout { get; } = TimeSpan.FromMilliseconds(100);

    public static void ValidateTarget(PolicyTargetRef? target, string path, FieldErrors errors)
    {
        if (target is null)
        {
            errors.Add(path, "required");
            return;
        }

        if (target.Kind != "Service")
        {
            errors.Add($"{path}.kind", $"unsupported kind \"{target.Kind}\": must be Service");
        }

        if (string.IsNullOrEmpty(target.Name))
        {
            errors.Add($"{path}.name", "required");
        }
        else
        {
            errors.Check($"{path}.name", NameRules.Dns1035Label(target.Name));
        }

        if (target.Port is { } port)
        {
            errors.Check($"{path}.port", NameRules.PortNumber(port));
        }
    }

    /// <summary>Null when the field is absent or invalid (the error recorded).</summary>
    public static TimeSpan? Duration(string? text, string path, FieldErrors errors)
    {
        if (text is null)
        {
            return null;
        }

        return errors.Check(path, GoDuration.Validate(text, out var value)) ? value : null;
    }

    /// <summary>An HTTP field name: an RFC 9110 token.</summary>
    public static string? HeaderName(string value) =>
        TokenPattern().IsMatch(value)
            ? null
            : $"invalid header name \"{value}\": must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)";

    /// <summary>A cookie name is an RFC 6265 token, the same characters as a header name.</summary>
    public static string? CookieName(string value) =>
        TokenPattern().IsMatch(value)
            ? null
            : $"invalid cookie name \"{value}\": must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)";

    /// <summary>.NET regular expression syntax, what the sidecar will run.</summary>
    public static string? RegularExpression(string value)
    {
        try
        {
            _ = new Regex(value, RegexOptions.CultureInvariant, RegexMatchTimeout);
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"invalid regular expression \"{value}\": {ex.Message}";
        }
    }

    [GeneratedRegex("^[-!#$%&'*+.^_`|~0-9A-Za-z]+$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}

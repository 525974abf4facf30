using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MeshNet.Kubernetes.Validation;

/// <summary>
/// Kubernetes' name and value formats (apimachinery pkg/util/validation), each returning null when the value
/// is valid or the reason it is not.
/// </summary>
public static partial class NameRules
{
    public static string? Dns1035Label(string value) =>
        value.Length <= 63 && Dns1035LabelPattern().IsMatch(value)
            ? null
            : $"invalid name \"{value}\": must be a DNS-1035 label (at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit)";

    public static string? Dns1123Label(string value) =>
        value.Length <= 63 && Dns1123LabelPattern().IsMatch(value)
            ? null
            : $"invalid name \"{value}\": must be a DNS-1123 label (at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit)";

    public static string? Dns1123Subdomain(string value) =>
        value.Length <= 253 && Dns1123SubdomainPattern().IsMatch(value)
            ? null
            : $"invalid name \"{value}\": must be a DNS-1123 subdomain (at most 253 characters of DNS-1123 labels joined by '.')";

    /// <summary>IANA_SVC_NAME (RFC 6335): what a named port or a named targetPort must be.</summary>
    public static string? PortName(string value)
    {
        var valid = value.Length is >= 1 and <= 15
            && PortNamePattern().IsMatch(value)
            && value.Any(char.IsAsciiLetterLower)
            && !value.Contains("--", StringComparison.Ordinal)
            && value[0] != '-'
            && value[^1] != '-';
        return valid
            ? null
            : $"invalid port name \"{value}\": must be an IANA_SVC_NAME (at most 15 lowercase letters, digits or '-', at least one letter, no '-' at either end or twice in a row)";
    }

    public static string? PortNumber(long value) =>
        value is >= 1 and <= 65535 ? null : $"invalid port {value}: must be 1-65535";

    public static string? Protocol(string value) =>
        value is "TCP" or "UDP" or "SCTP" ? null : $"unsupported protocol \"{value}\": must be TCP, UDP or SCTP";

    /// <summary>A label or annotation key: an optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static string? QualifiedName(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash < 0 ? null : value[..slash];
        var name = slash < 0 ? value : value[(slash + 1)..];
        var valid = name.Length is >= 1 and <= 63
            && LabelValuePattern().IsMatch(name)
            && (prefix is null || (prefix.Length is >= 1 and <= 253 && Dns1123SubdomainPattern().IsMatch(prefix)));
        return valid
            ? null
            : $"invalid key \"{value}\": must be a name of at most 63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit, optionally prefixed by a DNS subdomain and '/'";
    }

    public static string? LabelValue(string value) =>
        value.Length <= 63 && (value.Length == 0 || LabelValuePattern().IsMatch(value))
            ? null
            : $"invalid label value \"{value}\": must be empty or at most 63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit";

    /// <summary>An IPv4 address in dotted-quad form ("127.1" is refused) or any IPv6 address without a zone.</summary>
    public static string? IP(string value) =>
        TryParseIP(value, out var parsed) && parsed is not null ? null : $"invalid IP address \"{value}\"";

    public static string? IPv4(string value) =>
        TryParseIP(value, out var parsed) && parsed?.AddressFamily == AddressFamily.InterNetwork
            ? null
            : $"invalid IPv4 address \"{value}\"";

    public static string? IPv6(string value) =>
        TryParseIP(value, out var parsed) && parsed?.AddressFamily == AddressFamily.InterNetworkV6
            ? null
            : $"invalid IPv6 address \"{value}\"";

    private static bool TryParseIP(string value, out IPAddress? address)
    {
        address = null;
        if (!System.Net.IPAddress.TryParse(value, out var parsed) || value.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        if (parsed.AddressFamily == AddressFamily.InterNetwork && !string.Equals(parsed.ToString(), value, StringComparison.Ordinal))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035LabelPattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123LabelPattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123SubdomainPattern();

    [GeneratedRegex("^[-a-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex PortNamePattern();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValuePattern();
}

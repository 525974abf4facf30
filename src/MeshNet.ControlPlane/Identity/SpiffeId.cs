namespace MeshNet.ControlPlane.Identity;

/// <summary>Workload identities as SPIFFE IDs: <c>spiffe://&lt;trust-domain&gt;/ns/&lt;namespace&gt;/sa/&lt;service-account&gt;</c>.</summary>
internal static class SpiffeId
{
    public const string Scheme = "spiffe://";

    public static string For(string trustDomain, string ns, string serviceAccount) =>
        $"{Scheme}{trustDomain}/ns/{ns}/sa/{serviceAccount}";

    /// <summary>The trust domain of a SPIFFE ID (its authority), or null when the text is not a SPIFFE ID at all.</summary>
    public static string? TrustDomainOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!id.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = id.AsSpan(Scheme.Length);
        var slash = rest.IndexOf('/');
        var domain = slash < 0 ? rest : rest[..slash];
        return domain.Length == 0 ? null : domain.ToString();
    }

    /// <summary>
    /// SPIFFE trust domains are lower-case letters, digits, dots, dashes and underscores (SPIFFE-ID spec, section 2.1),
    /// so a trust domain compares ordinally and can never smuggle a path or port.
    /// </summary>
    public static bool IsValidTrustDomain(string value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 255 && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');

    /// <summary>A Kubernetes namespace name: an RFC 1123 label.</summary>
    public static bool IsValidNamespace(string value) => IsDnsLabel(value);

    /// <summary>A Kubernetes ServiceAccount name: an RFC 1123 subdomain.</summary>
    public static bool IsValidServiceAccount(string value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 253 && value.Split('.').All(IsDnsLabel);

    private static bool IsDnsLabel(string value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 63 &&
        IsLowerAlphanumeric(value[0]) && IsLowerAlphanumeric(value[^1]) &&
        value.All(c => IsLowerAlphanumeric(c) || c == '-');

    private static bool IsLowerAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}

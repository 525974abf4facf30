using System.Collections.Immutable;
using System.Net;

namespace MeshNet.ControlPlane.Transport;

/// <summary>Who may speak plaintext h2c to the gRPC port, next to TLS on the same port.</summary>
internal enum PlaintextPolicy
{
    /// <summary>
    /// Plaintext discovery from anyone (existing sidecars keep working), but a join token over plaintext only from a
    /// loopback peer: Certify from anywhere else needs TLS.
    /// </summary>
    Loopback,

    /// <summary>Plaintext for everything from anyone, Certify included: only for a network that is itself trusted.</summary>
    Any,

    /// <summary>TLS only: a plaintext connection is closed before its first request.</summary>
    None,
}

/// <summary>The gRPC port's TLS: what plaintext is still allowed, and the names the serving certificate carries.</summary>
/// <param name="Namespace">
/// Where the control plane runs: its SPIFFE ID is spiffe://TD/ns/NS/sa/meshnet-control and its DNS names
/// meshnet-control.NS.svc and the like.
/// </param>
/// <param name="ExtraNames">More DNS names or IP addresses for the serving certificate (--grpc-tls-san).</param>
internal sealed record GrpcTransportOptions(PlaintextPolicy Plaintext, string Namespace, ImmutableArray<string> ExtraNames)
{
    public const string ServiceAccount = "meshnet-control";

    public const string DefaultNamespace = "meshnet-system";

    /// <summary>The name of the trust bundle PEM written to the state directory, for tools and sidecars to bootstrap trust.</summary>
    public const string BundleFileName = "ca-bundle.pem";

    public static GrpcTransportOptions Default { get; } = new(
        PlaintextPolicy.Loopback,
        Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns : DefaultNamespace,
        []);

    /// <exception cref="FormatException">Naming the flag.</exception>
    public static PlaintextPolicy ParsePlaintext(string flag, string value) => value switch
    {
        "loopback" => PlaintextPolicy.Loopback,
        "any" => PlaintextPolicy.Any,
        "none" => PlaintextPolicy.None,
        _ => throw new FormatException($"{flag}: expected loopback, any or none, got \"{value}\""),
    };

    /// <summary>"name,name,10.0.0.1": DNS names (RFC 1123, lower case) or IP addresses.</summary>
    /// <exception cref="FormatException">Naming the flag and the bad entry.</exception>
    public static ImmutableArray<string> ParseNames(string flag, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var names = ImmutableArray.CreateBuilder<string>();
        foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPAddress.TryParse(name, out _) && !IsDnsName(name))
            {
                throw new FormatException($"{flag}: \"{name}\" is neither an IP address nor a DNS name");
            }

            names.Add(name);
        }

        return names.Count > 0 ? names.ToImmutable() : throw new FormatException($"{flag}: expected a DNS name or IP address");
    }

    private static bool IsDnsName(string name) =>
        name.Length <= 253
        && name.Split('.').All(label =>
            label.Length is > 0 and <= 63
            && char.IsAsciiLetterOrDigit(label[0]) && char.IsAsciiLetterOrDigit(label[^1])
            && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'));
}

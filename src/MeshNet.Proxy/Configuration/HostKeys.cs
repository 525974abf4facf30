using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// Host[:port] spelling rules. The route table stores every spelling a client may send (with and without a
/// trailing dot; without the port when it is 80) so a request needs one case-insensitive lookup of the raw Host
/// value and no normalisation work.
/// </summary>
internal static class HostKeys
{
    private const int DefaultHttpPort = 80;

    /// <summary>Splits "host:port" (or "[v6]:port"); false unless the port is 1-65535 and the host non-empty.</summary>
    public static bool TrySplit(string domain, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = domain.LastIndexOf(':');
        if (colon <= 0 || domain.IndexOf(']', StringComparison.Ordinal) > colon)
        {
            return false;
        }

        if (!int.TryParse(domain.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = domain[..colon];
        return host.Length > 0 && (host[0] != '[' || host[^1] == ']') && (host[0] == '[' || !host.Contains(':', StringComparison.Ordinal));
    }

    /// <summary>"Posts.Blog.:80" becomes "posts.blog:80": the form used to detect a domain claimed twice.</summary>
    public static string Canonical(string domain)
    {
        TrySplit(domain, out var host, out var port);
        return string.Create(CultureInfo.InvariantCulture, $"{host.TrimEnd('.').ToLowerInvariant()}:{port}");
    }

    /// <summary>Every Host header value that selects <paramref name="domain"/> (match them case-insensitively).</summary>
    public static IEnumerable<string> LookupKeys(string domain)
    {
        TrySplit(domain, out var host, out var port);
        var bare = host.TrimEnd('.');
        var hosts = IsIpLiteral(bare) ? new[] { bare } : [bare, bare + "."];
        foreach (var spelling in hosts)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{spelling}:{port}");
            if (port == DefaultHttpPort)
            {
                yield return spelling;
            }
        }
    }

    /// <summary>"http://10.0.0.1:8080" or "http://[fd00::1]:8080": a forwarder destination prefix.</summary>
    public static string DestinationPrefix(string address, uint port) =>
        IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"http://[{ip}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"http://{address}:{port}");

    private static bool IsIpLiteral(string host) => host.StartsWith('[') || IPAddress.TryParse(host, out _);
}

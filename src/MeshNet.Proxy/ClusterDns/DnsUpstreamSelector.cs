using System.Net;

namespace MeshNet.Proxy.ClusterDns;

/// <summary>
/// Picks where names outside the cluster go: --dns-upstream, else the first nameserver in resolv.conf that is not
/// this sidecar. In a pod network namespace resolv.conf names the sidecar itself (its port 53 is redirected here),
/// and forwarding to it would answer every query with a timeout, so such entries are skipped.
/// </summary>
internal static class DnsUpstreamSelector
{
    public const int DnsPort = 53;
    public const string ResolvConfPath = "/etc/resolv.conf";

    public static IPEndPoint? Select(IPEndPoint? configured, string? resolvConf, IReadOnlyCollection<IPAddress> ownAddresses)
    {
        if (configured is not null)
        {
            return configured;
        }

        foreach (var nameserver in Nameservers(resolvConf ?? string.Empty))
        {
            if (!nameserver.Equals(IPAddress.Any) && !nameserver.Equals(IPAddress.IPv6Any) && !ownAddresses.Contains(nameserver))
            {
                return new IPEndPoint(nameserver, DnsPort);
            }
        }

        return null;
    }

    /// <summary>"nameserver ADDR" lines in order; comments (# or ;) and anything unparsable are ignored.</summary>
    public static IEnumerable<IPAddress> Nameservers(string resolvConf)
    {
        foreach (var raw in resolvConf.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && fields[0] == "nameserver" && IPAddress.TryParse(fields[1], out var address))
            {
                yield return address;
            }
        }
    }

    public static string? ReadResolvConf()
    {
        try
        {
            return File.ReadAllText(ResolvConfPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

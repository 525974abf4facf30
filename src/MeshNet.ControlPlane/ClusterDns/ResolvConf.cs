using System.Net;

namespace MeshNet.ControlPlane.ClusterDns;

/// <summary>Reads the host's resolver configuration (resolv.conf(5)) for the upstream that non-cluster names go to.</summary>
internal static class ResolvConf
{
    public const string DefaultPath = "/etc/resolv.conf";

    /// <summary>The first usable "nameserver" line, on port 53; null when there is none.</summary>
    public static IPEndPoint? FirstNameserver(string path = DefaultPath)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && string.Equals(fields[0], "nameserver", StringComparison.Ordinal) &&
                IPAddress.TryParse(fields[1].Split('%')[0], out var address))
            {
                return new IPEndPoint(address, 53);
            }
        }

        return null;
    }
}

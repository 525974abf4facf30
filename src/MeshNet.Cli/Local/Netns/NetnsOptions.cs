using System.Net;
using System.Net.Sockets;

namespace MeshNet.Cli.Local.Netns;

/// <summary>
/// Where `meshctl up` puts pods when it runs them in network namespaces. Every name it creates starts with
/// <see cref="Prefix"/>, so two runs (or a run and the tests) do not collide and `down` can find its own.
/// </summary>
internal sealed record NetnsOptions(IPAddress PodNetwork, string Bridge, string Prefix, string StateFile)
{
    public const string DefaultBridge = "meshnet0";
    public const string DefaultPrefix = "mn";
    public const string DefaultStateFile = "/run/meshnet/up-state.json";
    public const int PrefixLength = 16;

    public static readonly IPAddress DefaultPodNetwork = IPAddress.Parse("10.244.0.0");

    /// <summary>The bridge's address: the pods' default gateway, where the control plane and its DNS listen.</summary>
    public IPAddress Gateway
    {
        get
        {
            var bytes = PodNetwork.GetAddressBytes();
            return new IPAddress([bytes[0], bytes[1], 0, 1]);
        }
    }

    /// <summary>
    /// Loopback addresses for the gateway, derived from the pod CIDR so runs on different CIDRs do not collide:
    /// 10.244.0.0/16 gives 127.10.244.0 (gateway sidecar .254, LoadBalancer external addresses from .1).
    /// </summary>
    public IPAddress GatewayNetwork
    {
        get
        {
            var bytes = PodNetwork.GetAddressBytes();
            return new IPAddress([127, bytes[0], bytes[1], 0]);
        }
    }

    public string PodCidr => $"{PodNetwork}/{PrefixLength}";

    /// <summary>Parses "10.244.0.0/16"; only /16 networks are supported (pods .0.2 up to .255.254).</summary>
    public static IPAddress? ParsePodCidr(string text, out string? error)
    {
        error = null;
        var parts = text.Split('/');
        if (parts.Length == 2 && IPAddress.TryParse(parts[0], out var address) && address.AddressFamily == AddressFamily.InterNetwork
            && parts[1] == "16")
        {
            var bytes = address.GetAddressBytes();
            if (bytes[2] == 0 && bytes[3] == 0 && bytes[0] != 127)
            {
                return address;
            }
        }

        error = $"--pod-cidr '{text}' is not an IPv4 /16 network outside 127.0.0.0/8 (e.g. 10.244.0.0/16)";
        return null;
    }

    public static bool IsRoot => Environment.UserName == "root";
}

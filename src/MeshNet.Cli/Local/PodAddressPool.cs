using System.Net;
using System.Net.Sockets;

namespace MeshNet.Cli.Local;

/// <summary>
/// Hands out one loopback address per pod (127.0.1.1, 127.0.1.2, ... 127.0.1.254, 127.0.2.1, ...): Linux routes all
/// of 127/8 to lo, so each pod binds the same ports on its own IP without root, as pods in a cluster do.
/// A different first network (--pod-network) lets two runs, or a run and the end-to-end tests, coexist.
/// </summary>
internal sealed class PodAddressPool
{
    public static readonly IPAddress DefaultNetwork = IPAddress.Parse("127.0.1.0");

    private readonly byte[] _network;
    private int _next;

    public PodAddressPool()
        : this(DefaultNetwork)
    {
    }

    public PodAddressPool(IPAddress network)
    {
        _network = network.GetAddressBytes();
        if (network.AddressFamily != AddressFamily.InterNetwork || _network[0] != 127)
        {
            throw new ArgumentException($"pod network {network} is not in 127.0.0.0/8", nameof(network));
        }
    }

    private PodAddressPool(byte[] network, int first)
    {
        _network = network;
        _next = first;
    }

    /// <summary>
    /// Pod IPs from a /16 pod CIDR for network namespaces: .0.1 is the bridge (the pods' gateway), pods start at .0.2.
    /// </summary>
    public static PodAddressPool ForPodCidr(IPAddress network) => new(network.GetAddressBytes(), 1);

    public IPAddress Next()
    {
        var index = _next++;
        var third = _network[2] + (index / 254);
        if (third > 255)
        {
            throw new InvalidOperationException($"The loopback pod addresses from {new IPAddress(_network)} on are exhausted.");
        }

        return new IPAddress([_network[0], _network[1], (byte)third, (byte)(1 + (index % 254))]);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Allocation;

/// <summary>An IPv4 or IPv6 range that cluster IPs (or load balancer addresses) come from, e.g. 10.96.0.0/16 or fd00:10:96::/112.</summary>
internal sealed class ServiceCidr
{
    private readonly UInt128 _network;
    private readonly int _bits;

    private ServiceCidr(IPAddress network, int prefixLength)
    {
        Family = network.AddressFamily;
        PrefixLength = prefixLength;
        _bits = Family == AddressFamily.InterNetwork ? 32 : 128;
        _network = ToNumber(network) & Mask(_bits - prefixLength, _bits);
        Size = _bits - prefixLength >= 128 ? UInt128.MaxValue : UInt128.One << (_bits - prefixLength);
    }

    public AddressFamily Family { get; }

    public int PrefixLength { get; }

    /// <summary>How many addresses the range spans, network and broadcast included (saturated for a /0 IPv6 range).</summary>
    public UInt128 Size { get; }

    public bool IsIPv6 => Family == AddressFamily.InterNetworkV6;

    public IpFamily IpFamily => IsIPv6 ? IpFamily.IPv6 : IpFamily.IPv4;

    public static ServiceCidr Parse(string flag, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IPAddress.TryParse(value.AsSpan(0, slash), out var address) ||
            !int.TryParse(value.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            throw new FormatException($"{flag}: expected a CIDR such as 10.96.0.0/16, got \"{value}\"");
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        // Fewer than 4 addresses leaves nothing to hand out once network and broadcast are reserved.
        if (prefix > maxPrefix - 2 || prefix < (maxPrefix == 32 ? 8 : 64))
        {
            throw new FormatException(
                $"{flag}: prefix length of \"{value}\" must be between {(maxPrefix == 32 ? 8 : 64)} and {maxPrefix - 2}");
        }

        return new ServiceCidr(address, prefix);
    }

    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6 && Family == AddressFamily.InterNetwork)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == Family && (ToNumber(address) & Mask(_bits - PrefixLength, _bits)) == _network;
    }

    /// <summary>
    /// The address at <paramref name="offset"/> into the usable part of the range: the network address (and for
    /// IPv4 the broadcast address) are never handed out, as the Kubernetes allocator does.
    /// </summary>
    public IPAddress AddressAt(UInt128 offset) => FromNumber(_network + 1 + (offset % UsableCount));

    /// <summary>Addresses that may be allocated.</summary>
    public UInt128 UsableCount => Size - (Family == AddressFamily.InterNetwork ? 2u : 1u);

    public override string ToString() => $"{FromNumber(_network)}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    private static UInt128 Mask(int hostBits, int bits)
    {
        var all = bits == 32 ? (UInt128)uint.MaxValue : UInt128.MaxValue;
        return hostBits >= 128 ? UInt128.Zero : all & ~((UInt128.One << hostBits) - 1);
    }

    private static UInt128 ToNumber(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private IPAddress FromNumber(UInt128 value)
    {
        var bytes = new byte[_bits / 8];
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xff);
            value >>= 8;
        }

        return new IPAddress(bytes);
    }
}

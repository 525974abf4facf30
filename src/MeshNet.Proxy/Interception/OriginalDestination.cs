using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// Reads where a REDIRECTed connection was really going: getsockopt SO_ORIGINAL_DST (netfilter, IPv4) or
/// IP6T_SO_ORIGINAL_DST (IPv6), both option 80, which return the pre-NAT destination as a sockaddr_in or
/// sockaddr_in6 (port and address in network byte order).
/// </summary>
internal static class OriginalDestination
{
    // <linux/netfilter_ipv4.h> SO_ORIGINAL_DST and <linux/netfilter_ipv6/ip6_tables.h> IP6T_SO_ORIGINAL_DST.
    private const int SoOriginalDst = 80;
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SockaddrIn6Size = 28;
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;

    /// <summary>The pre-NAT destination, or null when the connection was not NATed (or the kernel cannot say).</summary>
    public static IPEndPoint? TryRead(Socket socket)
    {
        if (!OperatingSystem.IsLinux() || socket.LocalEndPoint is not IPEndPoint local)
        {
            return null;
        }

        // A dual-stack socket with an IPv4-mapped local address carries IPv4 conntrack state.
        var v6 = local.AddressFamily == AddressFamily.InterNetworkV6 && !local.Address.IsIPv4MappedToIPv6;
        Span<byte> buffer = stackalloc byte[SockaddrIn6Size];
        try
        {
            var length = socket.GetRawSocketOption(v6 ? SolIpv6 : SolIp, SoOriginalDst, buffer);
            return Parse(buffer[..length]);
        }
        catch (SocketException)
        {
            // ENOENT: no conntrack entry, i.e. the client connected to the listener itself.
            return null;
        }
    }

    /// <summary>Decodes a sockaddr_in or sockaddr_in6 as the kernel returns it (family in host order, little-endian here).</summary>
    public static IPEndPoint? Parse(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length < 4)
        {
            return null;
        }

        var family = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(sockaddr) : BinaryPrimitives.ReadUInt16BigEndian(sockaddr);
        var port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        switch (family)
        {
            case AfInet when sockaddr.Length >= 8:
                return new IPEndPoint(new IPAddress(sockaddr.Slice(4, 4)), port);
            case AfInet6 when sockaddr.Length >= SockaddrIn6Size:
                var scope = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(sockaddr[24..]) : BinaryPrimitives.ReadUInt32BigEndian(sockaddr[24..]);
                var address = new IPAddress(sockaddr.Slice(8, 16), scope);
                return new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port);
            default:
                return null;
        }
    }
}

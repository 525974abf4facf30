using System.Net;

namespace MeshNet.ControlPlane.Transport;

/// <summary>
/// Whether a connection's peer is on this host's loopback: both ends on loopback addresses (127.0.0.0/8, ::1, or
/// either written IPv4-mapped, as a dual-stack socket reports it). The kernel never routes those addresses across a
/// link, so such a peer runs in this network namespace; a connection from the host's own LAN address, or over a veth
/// from a pod, is not loopback even though it never leaves the machine.
/// </summary>
internal static class LoopbackPeer
{
    public static bool IsLoopback(IPAddress? remote, IPAddress? local) => IsLoopbackAddress(remote) && IsLoopbackAddress(local);

    public static bool IsLoopbackAddress(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}

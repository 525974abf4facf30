using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MeshNet.Dns;
using MeshNet.Dns.Server;
using MeshNet.Proxy.Interception;

namespace MeshNet.Proxy.ClusterDns;

/// <summary>
/// Forwards names outside the cluster zone to the host's resolver over the client's transport, from marked
/// sockets: unmarked, the interception rules would send port 53 straight back into this DNS proxy.
/// MeshNet.Dns's own upstream forwarder offers no hook to configure its sockets, hence this one.
/// </summary>
internal sealed class MarkedDnsForwarder(IPEndPoint upstream, SocketMarker marker)
{
    public IPEndPoint Upstream => upstream;

    public async ValueTask<ReadOnlyMemory<byte>> ForwardAsync(ReadOnlyMemory<byte> query, DnsTransport transport, CancellationToken cancellationToken)
    {
        if (query.Length < 2)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        return transport == DnsTransport.Tcp
            ? await ExchangeTcpAsync(query, cancellationToken).ConfigureAwait(false)
            : await ExchangeUdpAsync(query, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ReadOnlyMemory<byte>> ExchangeUdpAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        marker.Apply(socket);
        // Connected, so only the upstream's datagrams arrive.
        await socket.ConnectAsync(upstream, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[DnsResponder.MaxMessageSize];
        var id = BinaryPrimitives.ReadUInt16BigEndian(query.Span);
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            // A stray datagram with another id is not the answer to this query.
            if (received >= 2 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id)
            {
                return buffer.AsMemory(0, received);
            }
        }
    }

    private async Task<ReadOnlyMemory<byte>> ExchangeTcpAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        using var socket = await marker.ConnectAsync(upstream, cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed.AsMemory(2));
        await stream.WriteAsync(framed, cancellationToken).ConfigureAwait(false);
        var prefix = new byte[2];
        await stream.ReadExactlyAsync(prefix, cancellationToken).ConfigureAwait(false);
        var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(reply, cancellationToken).ConfigureAwait(false);
        return reply;
    }
}

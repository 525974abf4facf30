using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MeshNet.Dns.Server;

/// <summary>
/// A <see cref="DnsForwarder"/> to one upstream resolver, over the transport the client used: UDP with a
/// connected socket per query (so only the upstream's datagrams arrive), TCP with one connection per query.
/// </summary>
public sealed class DnsUpstreamForwarder
{
    private readonly IPEndPoint _upstream;
    private readonly Action<Socket>? _configureSocket;

    /// <param name="configureSocket">
    /// Called on every upstream socket before it connects, e.g. to mark it so interception rules let it pass
    /// instead of sending it back into the DNS proxy that forwards.
    /// </param>
    public DnsUpstreamForwarder(IPEndPoint upstream, Action<Socket>? configureSocket = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        _upstream = upstream;
        _configureSocket = configureSocket;
    }

    public IPEndPoint Upstream => _upstream;

    public DnsForwarder Forwarder => ForwardAsync;

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
        using var socket = new Socket(_upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _configureSocket?.Invoke(socket);
        await socket.ConnectAsync(_upstream, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(DnsResponder.MaxMessageSize);
        try
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(query.Span);
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                // A late reply to an earlier query on a reused port number must not answer this one.
                if (received >= 2 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id)
                {
                    return buffer.AsMemory(0, received).ToArray();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<ReadOnlyMemory<byte>> ExchangeTcpAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        using var socket = new Socket(_upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _configureSocket?.Invoke(socket);
        await socket.ConnectAsync(_upstream, cancellationToken).ConfigureAwait(false);
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

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MeshNet.Dns.Tests.TestSupport;

/// <summary>A plain socket client; every wait has a deadline so a broken server fails the test instead of hanging it.</summary>
internal static class DnsTestClient
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static async Task<byte[]> QueryUdpAsync(IPEndPoint server, byte[] query)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server);
        await socket.SendAsync(query);
        return await ReceiveUdpAsync(socket);
    }

    public static async Task<byte[]> ReceiveUdpAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var buffer = new byte[65535];
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
        return buffer[..received];
    }

    public static async Task<Socket> ConnectTcpAsync(IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server);
        return socket;
    }

    public static async Task SendFramedAsync(Socket socket, byte[] query)
    {
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await socket.SendAsync(framed);
    }

    /// <summary>Reads one framed reply, or null when the server closed the connection.</summary>
    public static async Task<byte[]?> ReceiveFramedAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var prefix = new byte[2];
        if (await stream.ReadAtLeastAsync(prefix, 2, throwOnEndOfStream: false, deadline.Token) < 2)
        {
            return null;
        }

        var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(reply, deadline.Token);
        return reply;
    }

    public static async Task<byte[]> QueryTcpAsync(IPEndPoint server, byte[] query)
    {
        using var socket = await ConnectTcpAsync(server);
        await SendFramedAsync(socket, query);
        return await ReceiveFramedAsync(socket) ?? throw new InvalidOperationException("connection closed");
    }
}

using System.Net;
using System.Net.Sockets;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Interception;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace MeshNet.Proxy.Tests.Interception;

/// <summary>Marked upstream sockets connect by address and by host name, with or without the right to mark.</summary>
public sealed class SocketMarkerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Connects_ByAddressOrHostName(string host)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var marker = new SocketMarker(new ProxyOptions(), NullLogger<SocketMarker>.Instance);
        EndPoint endPoint = IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);

        using var socket = await marker.ConnectAsync(endPoint, CancellationToken.None);
        using var accepted = await listener.AcceptSocketAsync();

        Assert.True(socket.Connected);
    }

    [Fact]
    public void Marks_WhenAllowed()
    {
        if (Environment.UserName != "root")
        {
            output.WriteLine("skipped: setting SO_MARK needs CAP_NET_ADMIN (root)");
            return;
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        new SocketMarker(new ProxyOptions { Mark = 0x539 }, NullLogger<SocketMarker>.Instance).Apply(socket);

        Span<byte> value = stackalloc byte[4];
        socket.GetRawSocketOption(1, 36, value);
        Assert.Equal(0x539u, BitConverter.ToUInt32(value));
    }
}

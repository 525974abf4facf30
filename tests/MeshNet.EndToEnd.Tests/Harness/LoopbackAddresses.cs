using System.Net;
using System.Net.Sockets;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>
/// Hands out loopback "pod IPs" (127.0.2.x, then 127.0.3.x, ...) so every pod can use the same container ports,
/// as pods in a cluster do. Linux routes all of 127.0.0.0/8 to the loopback interface, so binding needs no setup
/// and no root. An address whose ports are taken (another run, a lingering process) is skipped.
/// </summary>
internal static class LoopbackAddresses
{
    private const int FirstHost = (2 << 8) + 1;
    private const int LastHost = (250 << 8) + 254;
    private static int _next = FirstHost;

    public static IPAddress NextPodAddress(IReadOnlyCollection<int> ports)
    {
        while (true)
        {
            var host = Interlocked.Increment(ref _next) - 1;
            if (host > LastHost)
            {
                throw new InvalidOperationException("ran out of loopback pod addresses");
            }

            if ((host & 0xFF) is 0 or 255)
            {
                continue;
            }

            var address = new IPAddress(new byte[] { 127, 0, (byte)(host >> 8), (byte)(host & 0xFF) });
            if (ports.All(port => IsFree(address, port)))
            {
                return address;
            }
        }
    }

    /// <summary>An ephemeral port that is free on <paramref name="address"/> right now (the OS picks it).</summary>
    public static int FreePort(IPAddress address)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static bool IsFree(IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace MeshNet.Cli.Local.Gateway;

/// <summary>
/// Whether this process may listen on an address at all. Only a refusal by permission counts (ports below
/// ip_unprivileged_port_start without root or CAP_NET_BIND_SERVICE): an address in use is the gateway's
/// own business to report, and is often the running gateway itself.
/// </summary>
internal static class ListenerProbe
{
    public static bool MayBind(IPEndPoint endpoint)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}

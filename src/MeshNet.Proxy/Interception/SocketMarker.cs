using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using MeshNet.Proxy.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// Puts SO_MARK on the sidecar's own upstream sockets (to endpoints, to the app, passthrough, DNS upstream) so
/// the interception rules RETURN them instead of redirecting them back into this sidecar. Setting a mark needs
/// CAP_NET_ADMIN; without it (explicit loopback mode, non-root) this logs once and carries on, since nothing is
/// intercepted there.
/// </summary>
internal sealed partial class SocketMarker(ProxyOptions options, ILogger<SocketMarker> logger)
{
    // <linux/socket.h>: SOL_SOCKET = 1, SO_MARK = 36.
    private const int SolSocket = 1;
    private const int SoMark = 36;

    private int _warned;

    public uint Mark { get; } = options.Mark;

    public void Apply(Socket socket)
    {
        if (Mark == 0 || !OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            Span<byte> value = stackalloc byte[sizeof(uint)];
            BitConverter.TryWriteBytes(value, Mark);
            socket.SetRawSocketOption(SolSocket, SoMark, value);
        }
        catch (SocketException ex)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                LogCannotMark(logger, Mark, ex.Message);
            }
        }
    }

    /// <summary>A connected, marked TCP socket (no Nagle: requests and replies are already batched by the writers).</summary>
    public async Task<Socket> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        // A host name has no family yet: a dual-mode IPv6 socket reaches either kind of address it resolves to.
        var socket = endPoint.AddressFamily == AddressFamily.Unspecified
            ? new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            Apply(socket);
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A SocketsHttpHandler.ConnectCallback whose sockets are marked.</summary>
    public async ValueTask<Stream> ConnectHttpAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endPoint = IPAddress.TryParse(context.DnsEndPoint.Host, out var ip)
            ? new IPEndPoint(ip, context.DnsEndPoint.Port)
            : (EndPoint)context.DnsEndPoint;
        var socket = await ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        return new NetworkStream(socket, ownsSocket: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot set SO_MARK {Mark} on upstream sockets ({Reason}); fine in explicit mode, but interception rules would loop this sidecar's traffic")]
    private static partial void LogCannotMark(ILogger logger, uint mark, string reason);
}

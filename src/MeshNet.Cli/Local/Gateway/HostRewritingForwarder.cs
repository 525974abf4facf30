using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MeshNet.Cli.Local.Gateway;

/// <summary>
/// One host listener of the gateway (a node port, or a LoadBalancer's external address): it names the Service in
/// the request's Host header and hands the connection to the gateway sidecar's outbound listener, which applies
/// mesh routing. Only the first request's head is rewritten, so it also asks for "Connection: close": one request
/// per connection keeps every request routed to the right Service.
/// </summary>
internal sealed class HostRewritingForwarder : IDisposable
{
    private const int MaxHeadBytes = 64 * 1024;

    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private readonly string _host;
    private readonly CancellationTokenSource _stop = new();

    public HostRewritingForwarder(IPEndPoint listen, IPEndPoint upstream, string host)
    {
        _listener = new TcpListener(listen);
        _upstream = upstream;
        _host = host;
        _listener.Start();
        Endpoint = (IPEndPoint)_listener.LocalEndpoint;
        _ = AcceptLoopAsync();
    }

    public IPEndPoint Endpoint { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    /// <summary>Replaces Host and Connection in an HTTP/1.x request head (ending with the blank line).</summary>
    public static string RewriteHead(string head, string host)
    {
        var lines = head.Split("\r\n");
        var output = new StringBuilder();
        output.Append(lines[0]).Append("\r\n");
        output.Append("Host: ").Append(host).Append("\r\n");
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            if (line.StartsWith("host:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("connection:", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            output.Append(line).Append("\r\n");
        }

        return output.Append("Connection: close\r\n\r\n").ToString();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        using (var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                var (head, rest) = await ReadHeadAsync(client).ConfigureAwait(false);
                if (head is null)
                {
                    return;
                }

                await upstream.ConnectAsync(_upstream, _stop.Token).ConfigureAwait(false);
                await upstream.SendAsync(Encoding.Latin1.GetBytes(RewriteHead(head, _host)), _stop.Token).ConfigureAwait(false);
                if (rest.Length > 0)
                {
                    await upstream.SendAsync(rest, _stop.Token).ConfigureAwait(false);
                }

                var up = PipeAsync(client, upstream);
                var down = PipeAsync(upstream, client);
                await Task.WhenAll(up, down).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client or the gateway went away: nothing to report to either.
            }
        }
    }

    private async Task<(string? Head, byte[] Body)> ReadHeadAsync(Socket client)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(length), _stop.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return (null, []);
            }

            length += read;
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return (Encoding.Latin1.GetString(buffer, 0, end + 2), buffer[(end + 4)..length]);
            }
        }

        return (null, []);
    }

    private async Task PipeAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReceiveAsync(buffer, _stop.Token).ConfigureAwait(false)) > 0)
        {
            await to.SendAsync(buffer.AsMemory(0, read), _stop.Token).ConfigureAwait(false);
        }

        to.Shutdown(SocketShutdown.Send);
    }
}

using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// Pipes an intercepted connection to its original destination unchanged, both ways, without parsing. The
/// client's FIN becomes a shutdown(SHUT_WR) upstream, so request-then-half-close protocols work; a reset or error
/// on either side aborts both.
/// </summary>
internal sealed partial class TcpPassthrough(SocketMarker marker, ILogger<TcpPassthrough> logger)
{
    // Same reasoning as the forwarder's connect timeout: a live destination answers in well under a second.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private const int ReceiveChunk = 16 * 1024;

    public async Task RunAsync(ConnectionContext connection, IPEndPoint destination)
    {
        Socket upstream;
        // Bounded by time only: Kestrel fires ConnectionClosed at the client's FIN, and a client that sends its request
        // and half-closes at once must still have it delivered.
        using (var connect = new CancellationTokenSource(ConnectTimeout))
        {
            try
            {
                upstream = await marker.ConnectAsync(destination, connect.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                LogConnectFailed(logger, destination, ex.Message);
                connection.Abort(new ConnectionAbortedException("passthrough destination unreachable"));
                return;
            }
        }

        await RelayAsync(connection, upstream).ConfigureAwait(false);
    }

    /// <summary>Pipes the connection to an already connected <paramref name="upstream"/> (disposed at the end).</summary>
    public static async Task RelayAsync(ConnectionContext connection, Socket upstream)
    {
        // Not linked to ConnectionClosed: Kestrel fires it when the client's side ends, which for a half-close
        // (FIN) is not the end of the exchange. A reset surfaces as a read error on either side instead.
        using (upstream)
        using (var failed = new CancellationTokenSource())
        {
            var toUpstream = ToUpstreamAsync(connection.Transport.Input, upstream, failed);
            var toClient = ToClientAsync(upstream, connection.Transport.Output, failed);
            await Task.WhenAll(toUpstream, toClient).ConfigureAwait(false);
            if (failed.IsCancellationRequested)
            {
                connection.Abort(new ConnectionAbortedException("passthrough ended by an error"));
            }
        }
    }

    private static async Task ToUpstreamAsync(PipeReader input, Socket upstream, CancellationTokenSource failed)
    {
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(failed.Token).ConfigureAwait(false);
                foreach (var segment in result.Buffer)
                {
                    await upstream.SendAsync(segment, SocketFlags.None, failed.Token).ConfigureAwait(false);
                }

                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }

            upstream.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException or ConnectionResetException)
        {
            await failed.CancelAsync().ConfigureAwait(false);
        }
    }

    private static async Task ToClientAsync(Socket upstream, PipeWriter output, CancellationTokenSource failed)
    {
        try
        {
            while (true)
            {
                var memory = output.GetMemory(ReceiveChunk);
                var received = await upstream.ReceiveAsync(memory, SocketFlags.None, failed.Token).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }

                output.Advance(received);
                var flush = await output.FlushAsync(failed.Token).ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }

            await output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            await failed.CancelAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Passthrough to {Destination} failed to connect: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, IPEndPoint destination, string reason);
}

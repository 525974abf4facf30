using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace MeshNet.Dns.Server;

public sealed partial class DnsServer
{
    private const int LengthPrefixSize = 2;

    private async Task RunAcceptAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                _logger.AcceptFailed(ex);
                continue;
            }

            if (Interlocked.Increment(ref _openConnections) > _options.MaxTcpConnections)
            {
                Interlocked.Decrement(ref _openConnections);
                _logger.ConnectionsSaturated(_options.MaxTcpConnections);
                client.Dispose();
                continue;
            }

            var id = Interlocked.Increment(ref _nextConnectionId);
            var connection = ServeConnectionAsync(client, id, cancellationToken);
            _connections[id] = connection;
            if (connection.IsCompleted)
            {
                _connections.TryRemove(id, out _);
            }
        }
    }

    /// <summary>Answers length-prefixed queries in order until the client closes, sends garbage framing, or idles out.</summary>
    private async Task ServeConnectionAsync(Socket client, long id, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var query = ArrayPool<byte>.Shared.Rent(LengthPrefixSize + DnsResponder.MaxMessageSize);
        var response = ArrayPool<byte>.Shared.Rent(LengthPrefixSize + DnsResponder.MaxMessageSize);
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        var stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            while (true)
            {
                idle.CancelAfter(_options.TcpIdleTimeout);
                var length = await ReadMessageAsync(stream, query, linked.Token).ConfigureAwait(false);
                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                if (length <= 0)
                {
                    return;
                }

                var reply = await AnswerTcpAsync(query.AsMemory(LengthPrefixSize, length), response, cancellationToken).ConfigureAwait(false);
                if (reply.IsEmpty)
                {
                    return;
                }

                await WriteMessageAsync(stream, reply, response, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Idle timeout or stopping.
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            _logger.ConnectionFailed(ex);
        }
        catch (Exception ex)
        {
            _logger.QueryFailed(ex);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(query);
            ArrayPool<byte>.Shared.Return(response);
            Interlocked.Decrement(ref _openConnections);
            _connections.TryRemove(id, out _);
        }
    }

    /// <summary>Reads one framed message after its prefix; 0 at a clean end of stream or for an empty frame.</summary>
    private static async ValueTask<int> ReadMessageAsync(NetworkStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAtLeastAsync(buffer.AsMemory(0, LengthPrefixSize), LengthPrefixSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < LengthPrefixSize)
        {
            return 0;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        if (length == 0)
        {
            return 0;
        }

        read = await stream.ReadAtLeastAsync(buffer.AsMemory(LengthPrefixSize, length), length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read < length ? 0 : length;
    }

    /// <summary>The reply for one query: our answer in <paramref name="response"/> after the prefix, or the upstream's; empty to close.</summary>
    private async ValueTask<ReadOnlyMemory<byte>> AnswerTcpAsync(ReadOnlyMemory<byte> query, byte[] response, CancellationToken cancellationToken)
    {
        var result = _responder.Respond(query.Span, response.AsSpan(LengthPrefixSize, DnsResponder.MaxMessageSize), DnsTransport.Tcp);
        var ours = response.AsMemory(LengthPrefixSize, result.Length);
        return result.Outcome switch
        {
            DnsOutcome.Dropped => ReadOnlyMemory<byte>.Empty,
            DnsOutcome.NotInZone when _options.Forwarder is not null =>
                ForwardedReply.Choose(await ForwardAsync(query, DnsTransport.Tcp, cancellationToken).ConfigureAwait(false), QueryId(query.Span), ours, DnsResponder.MaxMessageSize),
            _ => ours,
        };
    }

    private static async ValueTask WriteMessageAsync(NetworkStream stream, ReadOnlyMemory<byte> reply, byte[] response, CancellationToken cancellationToken)
    {
        // Our own answers already sit right after room for the prefix: one write, one segment.
        if (reply.Span.Overlaps(response.AsSpan(LengthPrefixSize, 1)))
        {
            BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)reply.Length);
            await stream.WriteAsync(response.AsMemory(0, LengthPrefixSize + reply.Length), cancellationToken).ConfigureAwait(false);
            return;
        }

        var prefix = new byte[LengthPrefixSize];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)reply.Length);
        await stream.WriteAsync(prefix, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(reply, cancellationToken).ConfigureAwait(false);
    }
}

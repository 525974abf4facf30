using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshNet.Dns.Server;

/// <summary>
/// Serves a <see cref="DnsResponder"/> over UDP and TCP on one address and port. UDP answers are cut to 512 bytes
/// or the client's EDNS0 size with TC set; TCP takes several length-prefixed queries per connection
/// (RFC 7766). Names outside the zone go to the optional <see cref="DnsServerOptions.Forwarder"/>. No input can
/// stop the loops: malformed packets get FORMERR or are dropped, socket errors are logged and skipped.
/// </summary>
public sealed partial class DnsServer : IAsyncDisposable
{
    private readonly DnsResponder _responder;
    private readonly DnsServerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Socket? _udp;
    private Socket? _tcp;
    private Task _udpLoop = Task.CompletedTask;
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextConnectionId;
    private int _openConnections;
    private int _forwardsInFlight;

    public DnsServer(DnsResponder responder, DnsServerOptions options, ILogger<DnsServer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(responder);
        ArgumentNullException.ThrowIfNull(options);
        _responder = responder;
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The bound address and port (after <see cref="Start"/>).</summary>
    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.None, 0);

    /// <summary>Binds both sockets and starts serving; throws if the address cannot be bound.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (_udp is not null)
        {
            throw new InvalidOperationException("The DNS server is already started.");
        }

        (_udp, _tcp) = Bind(_options.EndPoint);
        LocalEndPoint = (IPEndPoint)_udp.LocalEndPoint!;
        _udpLoop = Task.Run(() => RunUdpAsync(_udp, _stopping.Token));
        _acceptLoop = Task.Run(() => RunAcceptAsync(_tcp, _stopping.Token));
        _logger.Listening(LocalEndPoint);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _udp?.Dispose();
        _tcp?.Dispose();
        await Task.WhenAll([_udpLoop, _acceptLoop, .. _connections.Values]).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>
    /// With port 0 the UDP port is picked first and TCP takes the same number; if TCP finds it taken we try again,
    /// a few times, since clients expect one port for both.
    /// </summary>
    private static (Socket Udp, Socket Tcp) Bind(IPEndPoint endPoint)
    {
        const int attempts = 10;
        for (var attempt = 1; ; attempt++)
        {
            var udp = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            var tcp = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                udp.Bind(endPoint);
                var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
                tcp.Bind(new IPEndPoint(endPoint.Address, port));
                tcp.Listen(128);
                return (udp, tcp);
            }
            catch (SocketException) when (endPoint.Port == 0 && attempt < attempts)
            {
                udp.Dispose();
                tcp.Dispose();
            }
            catch
            {
                udp.Dispose();
                tcp.Dispose();
                throw;
            }
        }
    }

    private async Task RunUdpAsync(Socket socket, CancellationToken cancellationToken)
    {
        var query = ArrayPool<byte>.Shared.Rent(DnsResponder.MaxMessageSize);
        var response = ArrayPool<byte>.Shared.Rent(DnsResponder.MaxUdpPayloadSize);
        var client = new SocketAddress(socket.AddressFamily);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                int received;
                try
                {
                    received = await socket.ReceiveFromAsync(query, SocketFlags.None, client, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException ex)
                {
                    // ICMP errors from earlier sends surface here (ConnectionReset); the socket itself is fine.
                    _logger.UdpSocketError(ex);
                    continue;
                }

                await AnswerUdpAsync(socket, query.AsMemory(0, received), response, client, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(query);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    private async ValueTask AnswerUdpAsync(Socket socket, ReadOnlyMemory<byte> query, byte[] response, SocketAddress client, CancellationToken cancellationToken)
    {
        try
        {
            var result = _responder.Respond(query.Span, response, DnsTransport.Udp);
            if (result.Outcome == DnsOutcome.Dropped)
            {
                return;
            }

            if (result.Outcome == DnsOutcome.NotInZone && _options.Forwarder is not null)
            {
                StartUdpForward(socket, query, response.AsMemory(0, result.Length), client, result.SizeLimit, cancellationToken);
                return;
            }

            await socket.SendToAsync(response.AsMemory(0, result.Length), SocketFlags.None, client, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            _logger.UdpSocketError(ex);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or ObjectDisposedException))
        {
            _logger.QueryFailed(ex);
        }
    }

    /// <summary>The receive loop must not wait on the upstream, so the forward runs on its own copies of the buffers.</summary>
    private void StartUdpForward(Socket socket, ReadOnlyMemory<byte> query, ReadOnlyMemory<byte> minimal, SocketAddress client, int sizeLimit, CancellationToken cancellationToken)
    {
        var minimalCopy = minimal.ToArray();
        if (Interlocked.Increment(ref _forwardsInFlight) > _options.MaxConcurrentForwards)
        {
            Interlocked.Decrement(ref _forwardsInFlight);
            _logger.ForwardsSaturated(_options.MaxConcurrentForwards);
            var failed = ForwardedReply.Choose(ReadOnlyMemory<byte>.Empty, 0, minimalCopy, sizeLimit);
            _ = socket.SendToAsync(failed, SocketFlags.None, client, cancellationToken).AsTask();
            return;
        }

        var clientCopy = new SocketAddress(client.Family, client.Size);
        client.Buffer.CopyTo(clientCopy.Buffer);
        _ = ForwardUdpAsync(socket, query.ToArray(), minimalCopy, clientCopy, sizeLimit, cancellationToken);
    }

    private async Task ForwardUdpAsync(Socket socket, byte[] query, byte[] minimal, SocketAddress client, int sizeLimit, CancellationToken cancellationToken)
    {
        try
        {
            var upstream = await ForwardAsync(query, DnsTransport.Udp, cancellationToken).ConfigureAwait(false);
            var reply = ForwardedReply.Choose(upstream, QueryId(query), minimal, sizeLimit);
            await socket.SendToAsync(reply, SocketFlags.None, client, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            _logger.UdpSocketError(ex);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping.
        }
        finally
        {
            Interlocked.Decrement(ref _forwardsInFlight);
        }
    }

    /// <summary>Calls the forwarder under the forward timeout; an empty result means SERVFAIL.</summary>
    private async ValueTask<ReadOnlyMemory<byte>> ForwardAsync(ReadOnlyMemory<byte> query, DnsTransport transport, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.ForwardTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await _options.Forwarder!(query, transport, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.ForwardTimedOut(_options.ForwardTimeout.TotalMilliseconds);
            return ReadOnlyMemory<byte>.Empty;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.ForwardFailed(ex);
            return ReadOnlyMemory<byte>.Empty;
        }
    }

    private static ushort QueryId(ReadOnlySpan<byte> query) => (ushort)((query[0] << 8) | query[1]);
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HdrHistogram;

namespace MeshNet.Bench.LoadGen;

/// <summary>
/// One keep-alive connection carrying one request at a time. The scheduler thread sends; a receive loop on the
/// thread pool parses the response, records its latency from the intended send time and hands the connection back.
/// </summary>
internal sealed class Http1Connection
{
    private readonly IPEndPoint _endpoint;
    private readonly byte[] _request;
    private readonly OpenLoopRunner _runner;
    private readonly Http1ResponseParser _parser = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly Lock _socketGate = new();
    private Socket _socket;
    private long _intended;
    private bool _busy;

    public Http1Connection(IPEndPoint endpoint, byte[] request, OpenLoopRunner runner)
    {
        _endpoint = endpoint;
        _request = request;
        _runner = runner;
        _socket = Connect();
    }

    public LongHistogram Histogram { get; } = new(TimeSpan.FromSeconds(60).Ticks * 100, 3);

    public long Completed { get; private set; }

    public long Non2xx { get; private set; }

    public bool Used { get; private set; }

    public void Start() => _ = ReceiveLoopAsync();

    public void Send(long intendedTimestamp)
    {
        Used = true;
        lock (_socketGate)
        {
            _intended = intendedTimestamp;
            _busy = true;
            try
            {
                _socket.Send(_request);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The receive loop sees the broken socket too and reports the request as failed.
                _socket.Dispose();
            }
        }
    }

    private Socket Connect()
    {
        var socket = new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(_endpoint);
        return socket;
    }

    private async Task ReceiveLoopAsync()
    {
        while (!_runner.Stopped)
        {
            Socket socket;
            lock (_socketGate)
            {
                socket = _socket;
            }
            int read;
            try
            {
                read = await socket.ReceiveAsync(_buffer, SocketFlags.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                read = 0;
            }
            if (read == 0)
            {
                Reconnect(socket);
                continue;
            }

            var offset = 0;
            while (offset < read)
            {
                bool done;
                int consumed;
                try
                {
                    done = _parser.TryConsume(_buffer.AsSpan(offset, read - offset), out consumed);
                }
                catch (InvalidDataException)
                {
                    Reconnect(socket);
                    break;
                }
                offset += consumed;
                if (done)
                {
                    OnResponse(_parser.StatusCode, _parser.CloseAfter, socket);
                }
            }
        }
    }

    private void OnResponse(int status, bool closeAfter, Socket socket)
    {
        var now = Stopwatch.GetTimestamp();
        long intended;
        lock (_socketGate)
        {
            intended = _intended;
            _busy = false;
        }
        if (_runner.InWindow(intended))
        {
            Completed++;
            if (status is < 200 or > 299)
            {
                Non2xx++;
            }
            Histogram.RecordValue(Math.Max(0, (now - intended) * 1_000_000_000 / Stopwatch.Frequency));
        }
        if (closeAfter)
        {
            Reconnect(socket, failInFlight: false);
        }
        _runner.OnIdle(this, intended);
    }

    // A dead socket fails the request it carried (if any) and is replaced; an idle one closed by the server is not an error.
    private void Reconnect(Socket dead, bool failInFlight = true)
    {
        bool hadRequest;
        long intended;
        lock (_socketGate)
        {
            if (!ReferenceEquals(dead, _socket))
            {
                return;
            }
            hadRequest = _busy && failInFlight;
            intended = _intended;
            _busy = false;
            _socket.Dispose();
            if (_runner.Stopped)
            {
                return;
            }
            try
            {
                _socket = Connect();
            }
            catch (SocketException)
            {
                // Leave the dead socket; the next receive fails again and retries the connect.
            }
        }
        if (hadRequest)
        {
            _runner.OnError(this, intended);
        }
    }

    public void Close()
    {
        lock (_socketGate)
        {
            _socket.Dispose();
        }
    }
}

using System.Buffers.Text;
using System.Text;

namespace MeshNet.Bench.LoadGen;

/// <summary>
/// Finds where one HTTP/1.1 response ends in a byte stream (Content-Length or chunked framing). The generator never
/// pipelines, so at most one response is being parsed per connection.
/// </summary>
internal sealed class Http1ResponseParser
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();

    private readonly byte[] _head = new byte[32 * 1024];
    private int _headLength;
    private long _remaining;
    private State _state;

    private enum State
    {
        Head,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
    }

    public int StatusCode { get; private set; }

    public bool CloseAfter { get; private set; }

    /// <summary>Consumes bytes; returns true when a whole response has been read.</summary>
    public bool TryConsume(ReadOnlySpan<byte> input, out int consumed)
    {
        consumed = 0;
        while (consumed < input.Length)
        {
            var rest = input[consumed..];
            switch (_state)
            {
                case State.Head:
                    consumed += ReadLine(rest, HeaderEnd, out var headDone);
                    if (headDone && ParseHead())
                    {
                        return Finish();
                    }
                    break;
                case State.Body:
                    var take = (int)Math.Min(_remaining, rest.Length);
                    consumed += take;
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        return Finish();
                    }
                    break;
                case State.ChunkSize:
                    consumed += ReadLine(rest, Crlf, out var sizeDone);
                    if (sizeDone)
                    {
                        _remaining = ParseChunkSize();
                        _state = _remaining == 0 ? State.Trailers : State.ChunkData;
                    }
                    break;
                case State.ChunkData:
                    var chunk = (int)Math.Min(_remaining, rest.Length);
                    consumed += chunk;
                    _remaining -= chunk;
                    if (_remaining == 0)
                    {
                        _state = State.ChunkDataEnd;
                    }
                    break;
                case State.ChunkDataEnd:
                    consumed += ReadLine(rest, Crlf, out var endDone);
                    if (endDone)
                    {
                        _state = State.ChunkSize;
                    }
                    break;
                case State.Trailers:
                    consumed += ReadLine(rest, Crlf, out var trailerDone);
                    if (trailerDone && _headLength == 2)
                    {
                        return Finish();
                    }
                    if (trailerDone)
                    {
                        _headLength = 0;
                    }
                    break;
            }
        }
        return false;
    }

    // Appends to the line buffer until the terminator; the buffer is reset by the caller's next state.
    private int ReadLine(ReadOnlySpan<byte> input, byte[] terminator, out bool done)
    {
        for (var i = 0; i < input.Length; i++)
        {
            if (_headLength == _head.Length)
            {
                throw new InvalidDataException("response head too large");
            }
            _head[_headLength++] = input[i];
            if (_headLength >= terminator.Length && _head.AsSpan(_headLength - terminator.Length, terminator.Length).SequenceEqual(terminator))
            {
                done = true;
                if (_state != State.Head && _state != State.Trailers)
                {
                    _headLength -= terminator.Length;
                }
                return i + 1;
            }
        }
        done = false;
        return input.Length;
    }

    // Returns true when the response has no body.
    private bool ParseHead()
    {
        var head = Encoding.ASCII.GetString(_head, 0, _headLength);
        _headLength = 0;
        var lines = head.Split("\r\n");
        if (lines[0].Length < 12 || !int.TryParse(lines[0].AsSpan(9, 3), out var status))
        {
            throw new InvalidDataException($"bad status line '{lines[0]}'");
        }
        StatusCode = status;
        long? length = null;
        var chunked = false;
        CloseAfter = false;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            var name = line.AsSpan(0, colon).Trim();
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                length = long.Parse(value);
            }
            else if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("connection", StringComparison.OrdinalIgnoreCase))
            {
                CloseAfter = value.Contains("close", StringComparison.OrdinalIgnoreCase);
            }
        }

        if (status is 204 or 304 || status < 200)
        {
            return true;
        }
        if (chunked)
        {
            _state = State.ChunkSize;
            return false;
        }
        _remaining = length ?? throw new InvalidDataException("response without length framing");
        _state = State.Body;
        return _remaining == 0;
    }

    private long ParseChunkSize()
    {
        var line = _head.AsSpan(0, _headLength);
        _headLength = 0;
        var semicolon = line.IndexOf((byte)';');
        if (semicolon >= 0)
        {
            line = line[..semicolon];
        }
        if (!Utf8Parser.TryParse(line, out long size, out _, 'X'))
        {
            throw new InvalidDataException("bad chunk size");
        }
        return size;
    }

    private bool Finish()
    {
        _state = State.Head;
        _headLength = 0;
        _remaining = 0;
        return true;
    }
}

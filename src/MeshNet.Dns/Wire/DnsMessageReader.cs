using System.Buffers.Binary;

namespace MeshNet.Dns.Wire;

/// <summary>
/// Bounds-checked, forward-only reader over a DNS message. Every read returns false (or a failure status) instead of
/// throwing, so hostile input can only ever produce FORMERR or a dropped packet.
/// </summary>
internal ref struct DnsMessageReader
{
    /// <summary>Longest name on the wire, length octets and root included (RFC 1035 §2.3.4).</summary>
    public const int MaxNameWireLength = 255;

    /// <summary>Longest dotted text form of a name: 255 wire octets minus the leading length octet and the root.</summary>
    public const int MaxNameTextLength = 253;

    public const int MaxLabelLength = 63;

    private readonly ReadOnlySpan<byte> _message;
    private int _position;

    public DnsMessageReader(ReadOnlySpan<byte> message, int position = 0)
    {
        _message = message;
        _position = position;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _message.Length - _position;

    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_message[_position..]);
        _position += 2;
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (Remaining < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_message[_position..]);
        _position += 4;
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        if (count < 0 || Remaining < count)
        {
            bytes = default;
            return false;
        }

        bytes = _message.Slice(_position, count);
        _position += count;
        return true;
    }

    /// <summary>
    /// Reads a name into <paramref name="destination"/> (at least <see cref="MaxNameTextLength"/> chars) as dotted
    /// text without the trailing dot; the root is the empty string. Octets map one-to-one to chars, except that an
    /// octet '.' inside a label becomes '\0' so that such a label can never match a stored name label by label.
    /// A compression pointer must point before the start of the run it interrupts, which bounds the walk and rejects
    /// loops without a hop counter.
    /// </summary>
    public DnsNameStatus TryReadName(scoped Span<char> destination, out int charsWritten, bool allowCompression = true)
    {
        charsWritten = 0;
        var position = _position;
        var runStart = position;
        var resumeAt = -1;
        var wireLength = 0;

        while (true)
        {
            if (position >= _message.Length)
            {
                return DnsNameStatus.Truncated;
            }

            var length = _message[position];
            switch (length & 0xC0)
            {
                case 0x00 when length == 0:
                    _position = resumeAt >= 0 ? resumeAt : position + 1;
                    return DnsNameStatus.Ok;

                case 0x00:
                    wireLength += length + 1;
                    if (wireLength + 1 > MaxNameWireLength)
                    {
                        return DnsNameStatus.TooLong;
                    }

                    if (position + 1 + length > _message.Length)
                    {
                        return DnsNameStatus.Truncated;
                    }

                    if (charsWritten > 0)
                    {
                        destination[charsWritten++] = '.';
                    }

                    foreach (var octet in _message.Slice(position + 1, length))
                    {
                        destination[charsWritten++] = octet == (byte)'.' ? '\0' : (char)octet;
                    }

                    position += length + 1;
                    break;

                case 0xC0:
                    if (!allowCompression)
                    {
                        return DnsNameStatus.CompressionNotAllowed;
                    }

                    if (position + 1 >= _message.Length)
                    {
                        return DnsNameStatus.Truncated;
                    }

                    var target = ((length & 0x3F) << 8) | _message[position + 1];
                    if (target >= runStart)
                    {
                        return DnsNameStatus.PointerLoop;
                    }

                    if (resumeAt < 0)
                    {
                        resumeAt = position + 2;
                    }

                    runStart = target;
                    position = target;
                    break;

                default:
                    // 0x40 and 0x80 are the extended and reserved label types (RFC 6891 §5); a plain label can't
                    // exceed 63 octets because its length would need those bits.
                    return DnsNameStatus.BadLabelType;
            }
        }
    }

    /// <summary>Skips a name without decoding it, with the same validation as <see cref="TryReadName"/>.</summary>
    public DnsNameStatus TrySkipName()
    {
        Span<char> scratch = stackalloc char[MaxNameTextLength];
        return TryReadName(scratch, out _);
    }
}

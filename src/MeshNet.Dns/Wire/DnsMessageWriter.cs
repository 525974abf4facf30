using System.Buffers.Binary;

namespace MeshNet.Dns.Wire;

/// <summary>
/// Writes a DNS message into a caller-owned span with name compression (RFC 1035 §4.1.4). Every write is all or
/// nothing: a failed <c>TryWrite*</c> leaves the message as it was, so callers can stop at the first record that
/// does not fit and set TC. Compression targets are the offsets of labels already written, kept in a caller-owned
/// span (usually stackalloc) so writing allocates nothing.
/// </summary>
internal ref struct DnsMessageWriter
{
    /// <summary>Pointers carry 14 bits of offset.</summary>
    private const int MaxPointerOffset = 0x3FFF;

    private readonly Span<byte> _buffer;
    private readonly Span<ushort> _labelOffsets;
    private int _labelCount;
    private int _position;
    private int _limit;

    public DnsMessageWriter(Span<byte> buffer, Span<ushort> labelOffsets)
    {
        _buffer = buffer;
        _labelOffsets = labelOffsets;
        _limit = buffer.Length;
    }

    public readonly int Position => _position;

    /// <summary>How far writes may go; lowered to hold back room (for OPT) and raised again later.</summary>
    public int Limit
    {
        readonly get => _limit;
        set => _limit = Math.Clamp(value, _position, _buffer.Length);
    }

    public readonly Span<byte> Written => _buffer[.._position];

    public readonly Checkpoint Mark() => new(_position, _labelCount);

    public void Restore(Checkpoint checkpoint)
    {
        _position = checkpoint.Position;
        _labelCount = checkpoint.LabelCount;
    }

    public bool TryWriteUInt16(ushort value)
    {
        if (_limit - _position < 2)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], value);
        _position += 2;
        return true;
    }

    public bool TryWriteUInt32(uint value)
    {
        if (_limit - _position < 4)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(_buffer[_position..], value);
        _position += 4;
        return true;
    }

    public bool TryWriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        if (_limit - _position < bytes.Length)
        {
            return false;
        }

        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
        return true;
    }

    public readonly void PatchUInt16(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer[offset..], value);

    /// <summary>
    /// Copies an already validated, uncompressed wire name (the question) and records its labels as compression
    /// targets, so answers about the query name point back at it and echo the query's case.
    /// </summary>
    public bool TryWriteWireName(scoped ReadOnlySpan<byte> wireName)
    {
        var start = _position;
        if (!TryWriteBytes(wireName))
        {
            return false;
        }

        for (var offset = 0; offset < wireName.Length && wireName[offset] != 0; offset += wireName[offset] + 1)
        {
            RememberLabel(start + offset);
        }

        return true;
    }

    /// <summary>Writes dotted text (no trailing dot, empty for the root), compressed against earlier names when allowed.</summary>
    public bool TryWriteName(scoped ReadOnlySpan<char> name, bool compress = true)
    {
        var checkpoint = Mark();
        var rest = name;
        while (!rest.IsEmpty)
        {
            if (compress && TryFindSuffix(rest, out var pointer))
            {
                if (TryWriteUInt16((ushort)(0xC000 | pointer)))
                {
                    return true;
                }

                Restore(checkpoint);
                return false;
            }

            var dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
            if (!TryWriteLabel(label))
            {
                Restore(checkpoint);
                return false;
            }

            rest = dot < 0 ? [] : rest[(dot + 1)..];
        }

        if (_limit - _position < 1 || _position - checkpoint.Position + 1 > DnsMessageReader.MaxNameWireLength)
        {
            Restore(checkpoint);
            return false;
        }

        _buffer[_position++] = 0;
        return true;
    }

    private bool TryWriteLabel(scoped ReadOnlySpan<char> label)
    {
        if (label.IsEmpty || label.Length > DnsMessageReader.MaxLabelLength || _limit - _position < label.Length + 1)
        {
            return false;
        }

        var start = _position;
        _buffer[_position++] = (byte)label.Length;
        foreach (var c in label)
        {
            if (c > 0xFF)
            {
                _position = start;
                return false;
            }

            _buffer[_position++] = (byte)c;
        }

        RememberLabel(start);
        return true;
    }

    private void RememberLabel(int offset)
    {
        if (offset <= MaxPointerOffset && _labelCount < _labelOffsets.Length)
        {
            _labelOffsets[_labelCount++] = (ushort)offset;
        }
    }

    private readonly bool TryFindSuffix(ReadOnlySpan<char> suffix, out int offset)
    {
        for (var i = 0; i < _labelCount; i++)
        {
            if (NameAtEquals(_labelOffsets[i], suffix))
            {
                offset = _labelOffsets[i];
                return true;
            }
        }

        offset = 0;
        return false;
    }

    /// <summary>Compares the name written at <paramref name="offset"/> with dotted text, ASCII case-insensitively (RFC 4343).</summary>
    private readonly bool NameAtEquals(int offset, ReadOnlySpan<char> name)
    {
        var rest = name;
        var position = offset;
        // The message is our own, so pointers go backwards; the hop bound is only a guard against a logic error.
        for (var hops = 0; hops < 128 && position < _position; hops++)
        {
            var length = _buffer[position];
            if ((length & 0xC0) == 0xC0)
            {
                position = ((length & 0x3F) << 8) | _buffer[position + 1];
                continue;
            }

            if (length == 0)
            {
                return rest.IsEmpty;
            }

            var dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
            if (label.Length != length || !LabelEquals(_buffer.Slice(position + 1, length), label))
            {
                return false;
            }

            rest = dot < 0 ? [] : rest[(dot + 1)..];
            if (dot < 0)
            {
                // The text is used up: equal only if the written name ends here too.
                position += length + 1;
                return position < _position && _buffer[position] == 0;
            }

            position += length + 1;
        }

        return false;
    }

    private static bool LabelEquals(ReadOnlySpan<byte> written, ReadOnlySpan<char> label)
    {
        for (var i = 0; i < written.Length; i++)
        {
            if (ToLowerAscii(written[i]) != ToLowerAscii(label[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static int ToLowerAscii(int c) => c is >= 'A' and <= 'Z' ? c + 32 : c;

    internal readonly record struct Checkpoint(int Position, int LabelCount);
}

using System.Buffers;
using System.Buffers.Binary;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// Reads the ALPN protocols a TLS ClientHello offers (RFC 8446 section 4.1.2, RFC 7301), from the first TLS record,
/// without consuming anything: enough to tell a sidecar's mesh TCP handshake (<see cref="MeshTcp.Alpn"/>) from an
/// application's own TLS, which must pass to the app untouched.
/// </summary>
internal static class TlsClientHello
{
    private const byte HandshakeRecord = 0x16;
    private const byte ClientHelloType = 0x01;
    private const ushort AlpnExtension = 16;
    private const int RecordHeader = 5;
    private const int MaxRecord = 16 * 1024 + 256;

    /// <summary>True or false once the record is complete (or is not a ClientHello), null while more bytes are needed.</summary>
    public static bool? OffersAlpn(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> protocol)
    {
        if (buffer.Length < RecordHeader)
        {
            return buffer.IsEmpty || buffer.FirstSpan[0] == HandshakeRecord ? null : false;
        }

        Span<byte> header = stackalloc byte[RecordHeader];
        buffer.Slice(0, RecordHeader).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
        if (header[0] != HandshakeRecord || header[1] != 3 || length is 0 or > MaxRecord)
        {
            return false;
        }

        if (buffer.Length < RecordHeader + length)
        {
            return null;
        }

        var record = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.Slice(RecordHeader, length).CopyTo(record);
            foreach (var name in Alpn(record.AsSpan(0, length)))
            {
                if (protocol.SequenceEqual(name))
                {
                    return true;
                }
            }

            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    /// <summary>The ALPN names of a ClientHello handshake message (possibly cut short at the record's end).</summary>
    internal static List<byte[]> Alpn(ReadOnlySpan<byte> handshake)
    {
        var names = new List<byte[]>();
        var reader = new Reader(handshake);
        if (!reader.Byte(out var type) || type != ClientHelloType || !reader.Skip(3) // type, uint24 length
            || !reader.Skip(2 + 32) // legacy_version, random
            || !reader.SkipVector(1) || !reader.SkipVector(2) || !reader.SkipVector(1) // session id, cipher suites, compression
            || !reader.UInt16(out var extensionsLength))
        {
            return names;
        }

        var extensions = new Reader(reader.Rest[..Math.Min(extensionsLength, reader.Rest.Length)]);
        while (extensions.UInt16(out var extensionType) && extensions.UInt16(out var extensionLength) && extensions.Take(extensionLength, out var body))
        {
            if (extensionType != AlpnExtension)
            {
                continue;
            }

            var list = new Reader(body);
            if (!list.UInt16(out var listLength) || !list.Take(listLength, out var entries))
            {
                return names;
            }

            var entry = new Reader(entries);
            while (entry.Byte(out var nameLength) && entry.Take(nameLength, out var name))
            {
                names.Add(name.ToArray());
            }

            return names;
        }

        return names;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly ReadOnlySpan<byte> Rest => _data;

        public bool Byte(out byte value)
        {
            value = 0;
            if (_data.IsEmpty)
            {
                return false;
            }

            value = _data[0];
            _data = _data[1..];
            return true;
        }

        public bool UInt16(out ushort value)
        {
            value = 0;
            if (_data.Length < 2)
            {
                return false;
            }

            value = BinaryPrimitives.ReadUInt16BigEndian(_data);
            _data = _data[2..];
            return true;
        }

        public bool Skip(int count)
        {
            if (_data.Length < count)
            {
                return false;
            }

            _data = _data[count..];
            return true;
        }

        public bool Take(int count, out ReadOnlySpan<byte> taken)
        {
            taken = default;
            if (_data.Length < count)
            {
                return false;
            }

            taken = _data[..count];
            _data = _data[count..];
            return true;
        }

        /// <summary>Skips a vector whose length prefix is <paramref name="prefix"/> bytes (1 or 2).</summary>
        public bool SkipVector(int prefix)
        {
            int length;
            if (prefix == 1)
            {
                if (!Byte(out var b))
                {
                    return false;
                }

                length = b;
            }
            else
            {
                if (!UInt16(out var u))
                {
                    return false;
                }

                length = u;
            }

            return Skip(length);
        }
    }
}

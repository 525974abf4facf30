using System.Buffers.Binary;

namespace MeshNet.Dns.Wire;

/// <summary>The fixed 12-byte message header (RFC 1035 §4.1.1).</summary>
internal readonly record struct DnsHeader(
    ushort Id,
    ushort Flags,
    ushort QuestionCount,
    ushort AnswerCount,
    ushort AuthorityCount,
    ushort AdditionalCount)
{
    public const int Size = 12;

    public const ushort ResponseFlag = 0x8000;
    public const ushort AuthoritativeFlag = 0x0400;
    public const ushort TruncatedFlag = 0x0200;
    public const ushort RecursionDesiredFlag = 0x0100;
    public const ushort RecursionAvailableFlag = 0x0080;

    public const int OpcodeQuery = 0;

    public bool IsResponse => (Flags & ResponseFlag) != 0;

    public bool IsTruncated => (Flags & TruncatedFlag) != 0;

    public bool IsAuthoritative => (Flags & AuthoritativeFlag) != 0;

    public bool RecursionDesired => (Flags & RecursionDesiredFlag) != 0;

    public int Opcode => (Flags >> 11) & 0xF;

    public int ResponseCode => Flags & 0xF;

    public static bool TryRead(ReadOnlySpan<byte> message, out DnsHeader header)
    {
        if (message.Length < Size)
        {
            header = default;
            return false;
        }

        header = new DnsHeader(
            BinaryPrimitives.ReadUInt16BigEndian(message),
            BinaryPrimitives.ReadUInt16BigEndian(message[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[10..]));
        return true;
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, Id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], QuestionCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], AnswerCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], AuthorityCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], AdditionalCount);
    }

    /// <summary>Response flags for a query: QR set, opcode and RD echoed (RFC 1035 §4.1.1), the rest chosen by the caller.</summary>
    public static ushort ResponseFlagsFor(ushort queryFlags, int responseCode, bool authoritative, bool recursionAvailable)
    {
        var flags = (ushort)(ResponseFlag | (queryFlags & 0x7800) | (queryFlags & RecursionDesiredFlag) | (responseCode & 0xF));
        if (authoritative)
        {
            flags |= AuthoritativeFlag;
        }

        if (recursionAvailable)
        {
            flags |= RecursionAvailableFlag;
        }

        return flags;
    }
}

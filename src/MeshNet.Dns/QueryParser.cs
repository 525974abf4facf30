using MeshNet.Dns.Wire;

namespace MeshNet.Dns;

/// <summary>The parts of a query the responder needs, read and validated in one pass.</summary>
internal readonly record struct ParsedQuestion(
    int NameLength,
    ushort Type,
    ushort Class,
    int End,
    bool HasEdns,
    ushort UdpPayloadSize,
    byte EdnsVersion);

internal static class QueryParser
{
    /// <summary>
    /// Accepts exactly one question, no answer or authority records, and at most one OPT among the additional
    /// records (RFC 6891 §6.1.1). The question name may not be compressed: a query has nothing earlier to point to.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> query, DnsHeader header, Span<char> nameBuffer, out ParsedQuestion question)
    {
        question = default;
        if (header.QuestionCount != 1 || header.AnswerCount != 0 || header.AuthorityCount != 0)
        {
            return false;
        }

        var reader = new DnsMessageReader(query, DnsHeader.Size);
        if (reader.TryReadName(nameBuffer, out var nameLength, allowCompression: false) != DnsNameStatus.Ok
            || !reader.TryReadUInt16(out var type)
            || !reader.TryReadUInt16(out var @class))
        {
            return false;
        }

        var end = reader.Position;
        var hasEdns = false;
        ushort udpSize = 0;
        byte version = 0;
        for (var i = 0; i < header.AdditionalCount; i++)
        {
            var isRoot = reader.Remaining > 0 && query[reader.Position] == 0;
            if (reader.TrySkipName() != DnsNameStatus.Ok
                || !reader.TryReadUInt16(out var recordType)
                || !reader.TryReadUInt16(out var recordClass)
                || !reader.TryReadUInt32(out var ttl)
                || !reader.TryReadUInt16(out var dataLength)
                || !reader.TryReadBytes(dataLength, out _))
            {
                return false;
            }

            if (recordType == (ushort)DnsRecordType.Opt)
            {
                if (hasEdns || !isRoot)
                {
                    return false;
                }

                hasEdns = true;
                udpSize = recordClass;
                version = (byte)(ttl >> 16);
            }
        }

        question = new ParsedQuestion(nameLength, type, @class, end, hasEdns, udpSize, version);
        return true;
    }
}

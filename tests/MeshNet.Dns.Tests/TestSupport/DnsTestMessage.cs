using System.Globalization;
using System.Net;
using System.Text;
using MeshNet.Dns.Wire;

namespace MeshNet.Dns.Tests.TestSupport;

internal sealed record DnsTestRecord(string Name, ushort Type, ushort Class, uint Ttl, string Data)
{
    public override string ToString() => $"{Name} {Type} {Data}";
}

/// <summary>A fully decoded message; parsing throws on anything malformed, so a test that parses a reply checks it is valid.</summary>
internal sealed class DnsTestMessage
{
    public required DnsHeader Header { get; init; }

    public required string QuestionName { get; init; }

    public ushort QuestionType { get; init; }

    public required List<DnsTestRecord> Answers { get; init; }

    public required List<DnsTestRecord> Authority { get; init; }

    public required List<DnsTestRecord> Additional { get; init; }

    public int Rcode => Header.ResponseCode;

    public bool Truncated => Header.IsTruncated;

    public bool Authoritative => Header.IsAuthoritative;

    public IEnumerable<string> AnswerData => Answers.Select(a => a.Data);

    public static DnsTestMessage Parse(ReadOnlySpan<byte> message)
    {
        if (!DnsHeader.TryRead(message, out var header))
        {
            throw new FormatException("short header");
        }

        var reader = new DnsMessageReader(message, DnsHeader.Size);
        var questionName = string.Empty;
        ushort questionType = 0;
        for (var i = 0; i < header.QuestionCount; i++)
        {
            questionName = ReadName(ref reader);
            questionType = ReadUInt16(ref reader);
            ReadUInt16(ref reader);
        }

        var answers = ReadRecords(ref reader, message, header.AnswerCount);
        var authority = ReadRecords(ref reader, message, header.AuthorityCount);
        var additional = ReadRecords(ref reader, message, header.AdditionalCount);
        if (reader.Remaining != 0)
        {
            throw new FormatException($"{reader.Remaining} trailing bytes");
        }

        return new DnsTestMessage
        {
            Header = header,
            QuestionName = questionName,
            QuestionType = questionType,
            Answers = answers,
            Authority = authority,
            Additional = additional,
        };
    }

    private static List<DnsTestRecord> ReadRecords(ref DnsMessageReader reader, ReadOnlySpan<byte> message, int count)
    {
        var records = new List<DnsTestRecord>();
        for (var i = 0; i < count; i++)
        {
            var name = ReadName(ref reader);
            var type = ReadUInt16(ref reader);
            var @class = ReadUInt16(ref reader);
            if (!reader.TryReadUInt32(out var ttl) || !reader.TryReadUInt16(out var length))
            {
                throw new FormatException("short record");
            }

            var dataStart = reader.Position;
            if (!reader.TryReadBytes(length, out var data))
            {
                throw new FormatException("short rdata");
            }

            var dataReader = new DnsMessageReader(message[..(dataStart + length)], dataStart);
            var text = type switch
            {
                DnsQueryBuilder.A or DnsQueryBuilder.Aaaa => new IPAddress(data).ToString(),
                DnsQueryBuilder.Cname or DnsQueryBuilder.Ptr or DnsQueryBuilder.Ns => ReadName(ref dataReader),
                DnsQueryBuilder.Srv => $"{ReadUInt16(ref dataReader)} {ReadUInt16(ref dataReader)} {ReadUInt16(ref dataReader)} {ReadName(ref dataReader)}",
                DnsQueryBuilder.Txt => Encoding.ASCII.GetString(data[1..(1 + data[0])]),
                DnsQueryBuilder.Soa => $"{ReadName(ref dataReader)} {ReadName(ref dataReader)} {ReadUInt32(ref dataReader)} {ReadUInt32(ref dataReader)} {ReadUInt32(ref dataReader)} {ReadUInt32(ref dataReader)} {ReadUInt32(ref dataReader)}",
                _ => Convert.ToHexString(data),
            };
            records.Add(new DnsTestRecord(name, type, @class, ttl, text));
        }

        return records;
    }

    private static string ReadName(ref DnsMessageReader reader)
    {
        Span<char> buffer = stackalloc char[DnsMessageReader.MaxNameTextLength];
        var status = reader.TryReadName(buffer, out var length);
        return status == DnsNameStatus.Ok ? new string(buffer[..length]) : throw new FormatException($"bad name: {status}");
    }

    private static ushort ReadUInt16(ref DnsMessageReader reader) =>
        reader.TryReadUInt16(out var value) ? value : throw new FormatException("short");

    private static string ReadUInt32(ref DnsMessageReader reader) =>
        reader.TryReadUInt32(out var value) ? value.ToString(CultureInfo.InvariantCulture) : throw new FormatException("short");
}

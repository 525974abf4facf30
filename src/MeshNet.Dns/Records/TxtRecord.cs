using System.Text;
using MeshNet.Dns.Wire;

namespace MeshNet.Dns.Records;

/// <summary>A TXT record holding one ASCII character-string (at most 255 octets, RFC 1035 §3.3).</summary>
internal sealed record TxtRecord : DnsRecord
{
    public const int MaxLength = 255;

    public TxtRecord(string text, uint ttl)
        : base(ttl)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(text.Length, MaxLength);
        Text = text;
    }

    public string Text { get; }

    public override DnsRecordType Type => DnsRecordType.Txt;

    protected override bool TryWriteData(ref DnsMessageWriter writer)
    {
        Span<byte> bytes = stackalloc byte[MaxLength + 1];
        bytes[0] = (byte)Text.Length;
        var written = Encoding.ASCII.GetBytes(Text, bytes[1..]);
        return writer.TryWriteBytes(bytes[..(written + 1)]);
    }
}

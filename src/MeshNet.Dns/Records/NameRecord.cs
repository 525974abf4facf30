using MeshNet.Dns.Wire;

namespace MeshNet.Dns.Records;

/// <summary>A record whose data is one domain name: CNAME or PTR (compressible, RFC 3597 §4).</summary>
internal sealed record NameRecord(DnsRecordType RecordType, string Target, uint Ttl) : DnsRecord(Ttl)
{
    public override DnsRecordType Type => RecordType;

    protected override bool TryWriteData(ref DnsMessageWriter writer) => writer.TryWriteName(Target);
}

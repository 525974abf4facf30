using MeshNet.Dns.Wire;

namespace MeshNet.Dns.Records;

/// <summary>An SRV record (RFC 2782); its target is never compressed, as that RFC requires.</summary>
internal sealed record SrvRecord(ushort Priority, ushort Weight, ushort Port, string Target, uint Ttl) : DnsRecord(Ttl)
{
    public override DnsRecordType Type => DnsRecordType.Srv;

    protected override bool TryWriteData(ref DnsMessageWriter writer) =>
        writer.TryWriteUInt16(Priority)
        && writer.TryWriteUInt16(Weight)
        && writer.TryWriteUInt16(Port)
        && writer.TryWriteName(Target, compress: false);
}

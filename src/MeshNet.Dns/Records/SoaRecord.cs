using MeshNet.Dns.Wire;

namespace MeshNet.Dns.Records;

/// <summary>
/// The zone's SOA (RFC 1035 §3.3.13). Its MINIMUM is the negative-caching TTL for NXDOMAIN and NODATA answers
/// (RFC 2308 §4), which is why it travels in the authority section of those answers.
/// </summary>
internal sealed record SoaRecord(
    string PrimaryServer,
    string Mailbox,
    uint Serial,
    uint RefreshSeconds,
    uint RetrySeconds,
    uint ExpireSeconds,
    uint MinimumSeconds,
    uint Ttl) : DnsRecord(Ttl)
{
    public override DnsRecordType Type => DnsRecordType.Soa;

    protected override bool TryWriteData(ref DnsMessageWriter writer) =>
        writer.TryWriteName(PrimaryServer)
        && writer.TryWriteName(Mailbox)
        && writer.TryWriteUInt32(Serial)
        && writer.TryWriteUInt32(RefreshSeconds)
        && writer.TryWriteUInt32(RetrySeconds)
        && writer.TryWriteUInt32(ExpireSeconds)
        && writer.TryWriteUInt32(MinimumSeconds);
}

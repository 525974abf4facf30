using System.Net;
using System.Net.Sockets;
using MeshNet.Dns.Wire;

namespace MeshNet.Dns.Records;

/// <summary>An A (IPv4) or AAAA (IPv6) record.</summary>
internal sealed record AddressRecord(IPAddress Address, uint Ttl) : DnsRecord(Ttl)
{
    public override DnsRecordType Type => Address.AddressFamily == AddressFamily.InterNetworkV6 ? DnsRecordType.Aaaa : DnsRecordType.A;

    protected override bool TryWriteData(ref DnsMessageWriter writer)
    {
        Span<byte> bytes = stackalloc byte[16];
        return Address.TryWriteBytes(bytes, out var written) && writer.TryWriteBytes(bytes[..written]);
    }
}

namespace MeshNet.Dns.Wire;

/// <summary>The RR TYPE and QTYPE values this library reads or writes (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891).</summary>
internal enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    Cname = 5,
    Soa = 6,
    Ptr = 12,
    Txt = 16,
    Aaaa = 28,
    Srv = 33,
    Opt = 41,
    Ixfr = 251,
    Axfr = 252,
    Any = 255,
}

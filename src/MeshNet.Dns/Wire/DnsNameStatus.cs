namespace MeshNet.Dns.Wire;

/// <summary>Why a domain name could not be read; every failure maps to FORMERR, the value only helps tests and logs.</summary>
internal enum DnsNameStatus
{
    Ok,
    Truncated,
    BadLabelType,
    TooLong,
    PointerLoop,
    CompressionNotAllowed,
}

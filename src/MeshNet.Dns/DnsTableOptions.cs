namespace MeshNet.Dns;

/// <summary>Zone-wide settings of a <see cref="DnsRecordTable"/>.</summary>
public sealed record DnsTableOptions
{
    public static DnsTableOptions Default { get; } = new();

    /// <summary>The cluster domain, <c>&lt;zone&gt;</c> in the Kubernetes DNS specification.</summary>
    public string Zone { get; init; } = "cluster.local";

    /// <summary>TTL of every record, and the SOA minimum, so negative answers are cached as briefly as positive ones.</summary>
    public uint TtlSeconds { get; init; } = 5;

    /// <summary>SOA serial; callers pass their config version so a resolver can tell tables apart.</summary>
    public uint Serial { get; init; } = 1;
}

namespace MeshNet.Dns;

/// <summary>How a query arrived; it decides the size limit of the answer (512 or the EDNS0 size over UDP).</summary>
public enum DnsTransport
{
    Udp,
    Tcp,
}

/// <summary>What the caller should do with a query.</summary>
public enum DnsOutcome
{
    /// <summary>Send the response written to the destination buffer.</summary>
    Answered,

    /// <summary>
    /// The name is outside every zone this table serves: forward the original query upstream. The destination holds
    /// a REFUSED response (header and question) to send instead when there is no upstream, or to patch into a
    /// SERVFAIL or a truncated reply.
    /// </summary>
    NotInZone,

    /// <summary>Send nothing: not a query (too short for a header, or a response).</summary>
    Dropped,
}

/// <summary>The result of <see cref="DnsResponder.Respond"/>: what to do, how many bytes were written, and the size a reply may have.</summary>
public readonly record struct DnsResponse(DnsOutcome Outcome, int Length, int SizeLimit)
{
    public static DnsResponse Dropped => new(DnsOutcome.Dropped, 0, 0);
}

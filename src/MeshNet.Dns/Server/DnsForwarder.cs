namespace MeshNet.Dns.Server;

/// <summary>
/// Sends a query for a name outside the zone upstream and returns the upstream's reply, or an empty result when
/// there is none (the server then answers SERVFAIL). The token fires at the server's forward timeout.
/// </summary>
public delegate ValueTask<ReadOnlyMemory<byte>> DnsForwarder(ReadOnlyMemory<byte> query, DnsTransport transport, CancellationToken cancellationToken);

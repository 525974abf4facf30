namespace MeshNet.Bench.Dataplane;

/// <summary>A proxy process of a topology and its role on the path ("client" hop or "server" hop).</summary>
internal sealed record ProxyProcess(string Role, ChildProcess Process);

/// <summary>One way from the load generator to the backend, with the lanes it supports.</summary>
internal sealed record Topology(
    string Name,
    Uri HttpUrl,
    string HttpHost,
    IReadOnlyList<ProxyProcess> Proxies,
    Uri? H2Url = null,
    string? H2Authority = null,
    Uri? GrpcUrl = null,
    string? GrpcAuthority = null)
{
    public IReadOnlyList<int> ProxyPids => Proxies.Select(p => p.Process.Pid).ToArray();
}

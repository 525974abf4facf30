using System.Net;

namespace MeshNet.Dns.Tests.TestSupport;

/// <summary>The blogging platform's Services as the cluster DNS sees them, plus a few shapes the sample lacks.</summary>
internal static class BlogZone
{
    public static IReadOnlyList<DnsService> Services { get; } =
    [
        new("posts", "blog")
        {
            ClusterIPs = [IPAddress.Parse("10.96.0.20"), IPAddress.Parse("fd00::20")],
            Ports = [new("http", 80), new("grpc", 9090), new(null, 8081)],
        },
        new("users", "blog") { ClusterIPs = [IPAddress.Parse("10.96.0.21")], Ports = [new("http", 80)] },
        new("db", "blog") { ExternalName = "db.example.com." },
        new("posts-alias", "blog") { ExternalName = "posts.blog.svc.cluster.local" },
        new("gone-alias", "blog") { ExternalName = "missing.blog.svc.cluster.local" },
        new("cassandra", "blog")
        {
            Headless = true,
            Ports = [new("cql", 9042), new("dns", 53, "UDP")],
            Endpoints =
            [
                new([IPAddress.Parse("10.244.0.5")]) { Hostname = "cass-0" },
                new([IPAddress.Parse("10.244.0.6")]) { Hostname = "cass-1" },
                new([IPAddress.Parse("10.244.0.7")]) { Hostname = "cass-2", Ready = false },
                new([IPAddress.Parse("10.244.0.8")]),
            ],
        },
        new("warming", "blog")
        {
            Headless = true,
            Ports = [new("http", 8080)],
            Endpoints = [new([IPAddress.Parse("10.244.1.1")]) { Ready = false }],
        },
        new("eager", "blog")
        {
            Headless = true,
            PublishNotReadyAddresses = true,
            Ports = [new("http", 8080)],
            Endpoints = [new([IPAddress.Parse("10.244.1.9")]) { Ready = false }],
        },
    ];

    public static DnsRecordTable Table(DnsTableOptions? options = null) => DnsRecordTable.Build(Services, ["blog", "quiet"], options);

    public static DnsTestMessage Ask(DnsResponder responder, string name, ushort type, DnsTransport transport = DnsTransport.Udp, int? ednsSize = null)
    {
        var buffer = new byte[DnsResponder.MaxMessageSize];
        var result = responder.Respond(DnsQueryBuilder.Query(name, type, ednsSize: ednsSize), buffer, transport);
        Assert.NotEqual(DnsOutcome.Dropped, result.Outcome);
        return DnsTestMessage.Parse(buffer.AsSpan(0, result.Length));
    }

    public static DnsTestMessage Ask(string name, ushort type) => Ask(new DnsResponder(Table()), name, type);
}

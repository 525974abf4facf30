using System.Net;
using MeshNet.Dns.Tests.TestSupport;
using static MeshNet.Dns.Tests.TestSupport.DnsQueryBuilder;

namespace MeshNet.Dns.Tests;

public sealed class TableBuilderTests
{
    [Theory]
    [InlineData("bad_name!", "blog", "Service blog/bad_name!: name and namespace must be DNS labels.")]
    [InlineData("ok", "", "Service /ok: name and namespace must be DNS labels.")]
    public void Skips_ServicesWithInvalidNames_AndSaysWhy(string name, string ns, string error)
    {
        var table = DnsRecordTable.Build([new DnsService(name, ns) { ClusterIPs = [IPAddress.Parse("10.0.0.1")] }]);

        Assert.Equal([error], table.Errors);
    }

    [Fact]
    public void Keeps_TheFirstOfTwoServicesWithTheSameName()
    {
        var table = DnsRecordTable.Build(
        [
            new DnsService("posts", "blog") { ClusterIPs = [IPAddress.Parse("10.0.0.1")] },
            new DnsService("Posts", "blog") { ClusterIPs = [IPAddress.Parse("10.0.0.2")] },
        ]);

        Assert.Equal(["Service blog/Posts: duplicate, the first one wins."], table.Errors);
        Assert.Equal(["10.0.0.1"], BlogZone.Ask(new DnsResponder(table), "posts.blog.svc.cluster.local", A).AnswerData);
    }

    [Theory]
    [InlineData("not a name", "Service blog/db: externalName 'not a name' is not a valid domain name.")]
    [InlineData("a..b", "Service blog/db: externalName 'a..b' is not a valid domain name.")]
    public void Skips_AnInvalidExternalName(string externalName, string error)
    {
        var table = DnsRecordTable.Build([new DnsService("db", "blog") { ExternalName = externalName }]);

        Assert.Equal([error], table.Errors);
        Assert.Equal(3, BlogZone.Ask(new DnsResponder(table), "db.blog.svc.cluster.local", Cname).Rcode);
    }

    [Fact]
    public void Skips_SrvForPortsThatCannotHaveOne_ButKeepsTheAddresses()
    {
        var table = DnsRecordTable.Build([new DnsService("posts", "blog")
        {
            ClusterIPs = [IPAddress.Parse("10.0.0.1")],
            Ports = [new DnsPort("http", 0), new DnsPort("web", 80)],
        }]);

        Assert.Equal(["Service blog/posts: port 'http' (0/TCP) cannot have an SRV record."], table.Errors);
        Assert.Equal(["10.0.0.1"], BlogZone.Ask(new DnsResponder(table), "posts.blog.svc.cluster.local", A).AnswerData);
        Assert.Single(BlogZone.Ask(new DnsResponder(table), "_web._tcp.posts.blog.svc.cluster.local", Srv).Answers);
    }

    [Fact]
    public void Stores_IPv4MappedAddresses_AsIPv4()
    {
        var table = DnsRecordTable.Build([new DnsService("posts", "blog") { ClusterIPs = [IPAddress.Parse("::ffff:10.0.0.9")] }]);

        Assert.Equal(["10.0.0.9"], BlogZone.Ask(new DnsResponder(table), "posts.blog.svc.cluster.local", A).AnswerData);
        Assert.Single(BlogZone.Ask(new DnsResponder(table), "9.0.0.10.in-addr.arpa", Ptr).Answers);
    }

    [Fact]
    public void Publishes_AnAddressOnce_WhenTwoEndpointsCarryIt()
    {
        var address = IPAddress.Parse("10.244.0.5");
        var table = DnsRecordTable.Build([new DnsService("db", "blog")
        {
            Headless = true,
            Endpoints = [new DnsEndpoint([address]), new DnsEndpoint([address])],
        }]);

        Assert.Single(BlogZone.Ask(new DnsResponder(table), "db.blog.svc.cluster.local", A).Answers);
    }

    [Fact]
    public void Uses_TheEndpointPortNumber_InHeadlessSrv_WhenTheEndpointNamesThePort()
    {
        var table = DnsRecordTable.Build([new DnsService("db", "blog")
        {
            Headless = true,
            Ports = [new DnsPort("sql", 5432)],
            Endpoints = [new DnsEndpoint([IPAddress.Parse("10.244.0.5")]) { Hostname = "db-0", Ports = [new DnsPort("sql", 15432)] }],
        }]);

        Assert.Equal(["0 100 15432 db-0.db.blog.svc.cluster.local"], BlogZone.Ask(new DnsResponder(table), "_sql._tcp.db.blog.svc.cluster.local", Srv).AnswerData);
    }

    [Fact]
    public void Answers_EndpointHostnameWithEveryAddress_ForADualStackEndpoint()
    {
        var table = DnsRecordTable.Build([new DnsService("db", "blog")
        {
            Headless = true,
            Ports = [new DnsPort("sql", 5432)],
            Endpoints = [new DnsEndpoint([IPAddress.Parse("10.244.0.5"), IPAddress.Parse("fd00::5")]) { Hostname = "db-0" }],
        }]);
        var responder = new DnsResponder(table);

        Assert.Equal(["10.244.0.5"], BlogZone.Ask(responder, "db-0.db.blog.svc.cluster.local", A).AnswerData);
        Assert.Equal(["fd00::5"], BlogZone.Ask(responder, "db-0.db.blog.svc.cluster.local", Aaaa).AnswerData);
        Assert.Single(BlogZone.Ask(responder, "_sql._tcp.db.blog.svc.cluster.local", Srv).Answers);
    }

    [Fact]
    public void Rejects_AnInvalidZone()
    {
        var error = Assert.Throws<ArgumentException>(() => DnsRecordTable.Empty(new DnsTableOptions { Zone = "bad zone" }));

        Assert.StartsWith("The zone 'bad zone' is not a valid domain name.", error.Message, StringComparison.Ordinal);
    }
}

using MeshNet.Dns.Tests.TestSupport;
using static MeshNet.Dns.Tests.TestSupport.DnsQueryBuilder;

namespace MeshNet.Dns.Tests;

public sealed class ResponderNegativeTests
{
    private const int NoError = 0;
    private const int NxDomain = 3;
    private const int Refused = 5;

    [Theory]
    [InlineData("nope.blog.svc.cluster.local", A)]
    [InlineData("posts.nowhere.svc.cluster.local", A)]
    [InlineData("x.posts.blog.svc.cluster.local", A)]
    [InlineData("_http._udp.posts.blog.svc.cluster.local", Srv)]
    [InlineData("cass-2.cassandra.blog.svc.cluster.local", A)]
    [InlineData("elsewhere.cluster.local", A)]
    [InlineData("10-244-3-7.blog.pod.cluster.local.extra.cluster.local", A)]
    [InlineData("not-an-ip.blog.pod.cluster.local", A)]
    public void Answers_NameError_ForNamesThatDoNotExist(string name, ushort type)
    {
        var reply = BlogZone.Ask(name, type);

        Assert.Equal(NxDomain, reply.Rcode);
        Assert.True(reply.Authoritative);
        Assert.Empty(reply.Answers);
        var soa = Assert.Single(reply.Authority);
        Assert.Equal(("cluster.local", Soa), (soa.Name, soa.Type));
    }

    [Theory]
    [InlineData("warming.blog.svc.cluster.local", A)]
    [InlineData("_http._tcp.warming.blog.svc.cluster.local", Srv)]
    public void Answers_NameError_ForAHeadlessServiceWithoutReadyEndpoints(string name, ushort type)
    {
        Assert.Equal(NxDomain, BlogZone.Ask(name, type).Rcode);
    }

    [Theory]
    [InlineData("users.blog.svc.cluster.local", Aaaa)]
    [InlineData("posts.blog.svc.cluster.local", Txt)]
    [InlineData("svc.cluster.local", A)]
    [InlineData("blog.svc.cluster.local", A)]
    [InlineData("quiet.svc.cluster.local", A)]
    [InlineData("_tcp.posts.blog.svc.cluster.local", Srv)]
    [InlineData("cluster.local", A)]
    [InlineData("pod.cluster.local", A)]
    [InlineData("blog.pod.cluster.local", A)]
    [InlineData("10-244-3-7.blog.pod.cluster.local", Aaaa)]
    [InlineData("dns-version.cluster.local", A)]
    public void Answers_NoData_ForNamesThatExistWithoutThatType(string name, ushort type)
    {
        var reply = BlogZone.Ask(name, type);

        Assert.Equal(NoError, reply.Rcode);
        Assert.True(reply.Authoritative);
        Assert.Empty(reply.Answers);
        Assert.Equal(Soa, Assert.Single(reply.Authority).Type);
    }

    [Fact]
    public void Answers_NoDataWithReverseSoa_ForAKnownAddressAskedForAnotherType()
    {
        var reply = BlogZone.Ask("20.0.96.10.in-addr.arpa", A);

        Assert.Equal(NoError, reply.Rcode);
        Assert.Equal("in-addr.arpa", Assert.Single(reply.Authority).Name);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("cluster.local.example.com")]
    [InlineData("notcluster.local")]
    [InlineData("1.1.168.192.in-addr.arpa")]
    [InlineData("")]
    public void Reports_NotInZone_WithARefusedFallback(string name)
    {
        var responder = new DnsResponder(BlogZone.Table());
        var buffer = new byte[512];

        var result = responder.Respond(Query(name, A), buffer, DnsTransport.Udp);

        Assert.Equal(DnsOutcome.NotInZone, result.Outcome);
        var reply = DnsTestMessage.Parse(buffer.AsSpan(0, result.Length));
        Assert.Equal(Refused, reply.Rcode);
        Assert.False(reply.Authoritative);
        Assert.Equal(0x1234, reply.Header.Id);
    }

    [Fact]
    public void Refuses_ZoneTransfers()
    {
        Assert.Equal(Refused, BlogZone.Ask("cluster.local", Axfr).Rcode);
    }

    [Fact]
    public void Refuses_OtherClassesInTheZone()
    {
        var responder = new DnsResponder(BlogZone.Table());
        var buffer = new byte[512];

        var result = responder.Respond(Query("posts.blog.svc.cluster.local", A, @class: 3), buffer, DnsTransport.Udp);

        Assert.Equal(Refused, DnsTestMessage.Parse(buffer.AsSpan(0, result.Length)).Rcode);
    }

    [Fact]
    public void Sets_RecursionAvailable_OnlyWhenTheCallerForwards()
    {
        Assert.False(RecursionAvailable(new DnsResponder(BlogZone.Table())));
        Assert.True(RecursionAvailable(new DnsResponder(BlogZone.Table(), recursionAvailable: true)));

        static bool RecursionAvailable(DnsResponder responder) =>
            (BlogZone.Ask(responder, "posts.blog.svc.cluster.local", A).Header.Flags & 0x0080) != 0;
    }
}

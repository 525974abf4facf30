using MeshNet.Dns.Tests.TestSupport;
using static MeshNet.Dns.Tests.TestSupport.DnsQueryBuilder;

namespace MeshNet.Dns.Tests;

public sealed class ResponderRecordTests
{
    [Fact]
    public void Answers_ClusterIPServiceA_WithTheIPv4ClusterIP()
    {
        var reply = BlogZone.Ask("posts.blog.svc.cluster.local", A);

        Assert.Equal(0, reply.Rcode);
        Assert.True(reply.Authoritative);
        var answer = Assert.Single(reply.Answers);
        Assert.Equal(("posts.blog.svc.cluster.local", A, "10.96.0.20", 5u), (answer.Name, answer.Type, answer.Data, answer.Ttl));
    }

    [Fact]
    public void Answers_ClusterIPServiceAaaa_WithTheIPv6ClusterIP()
    {
        var reply = BlogZone.Ask("posts.blog.svc.cluster.local", Aaaa);

        Assert.Equal(["fd00::20"], reply.AnswerData);
    }

    [Fact]
    public void Answers_SrvForNamedPort_TargetingTheServiceWithItsAddressesAdditional()
    {
        var reply = BlogZone.Ask("_http._tcp.posts.blog.svc.cluster.local", Srv);

        Assert.Equal(["0 100 80 posts.blog.svc.cluster.local"], reply.AnswerData);
        Assert.Equal(["10.96.0.20", "fd00::20"], reply.Additional.Select(r => r.Data));
        Assert.All(reply.Additional, r => Assert.Equal("posts.blog.svc.cluster.local", r.Name));
    }

    [Fact]
    public void Answers_SrvWithTheProtocolLabel_OfEachPort()
    {
        Assert.Equal(
            ["0 33 53 cass-0.cassandra.blog.svc.cluster.local", "0 33 53 cass-1.cassandra.blog.svc.cluster.local", "0 33 53 10-244-0-8.cassandra.blog.svc.cluster.local"],
            BlogZone.Ask("_dns._udp.cassandra.blog.svc.cluster.local", Srv).AnswerData);
        Assert.Equal(3, BlogZone.Ask("_dns._tcp.cassandra.blog.svc.cluster.local", Srv).Rcode);
    }

    [Fact]
    public void Answers_HeadlessA_WithEveryReadyEndpointOnly()
    {
        var reply = BlogZone.Ask("cassandra.blog.svc.cluster.local", A);

        Assert.Equal(["10.244.0.5", "10.244.0.6", "10.244.0.8"], reply.AnswerData);
    }

    [Fact]
    public void Answers_HeadlessHostnameRecord_WithThatEndpoint()
    {
        Assert.Equal(["10.244.0.6"], BlogZone.Ask("cass-1.cassandra.blog.svc.cluster.local", A).AnswerData);
        Assert.Equal(["10.244.0.8"], BlogZone.Ask("10-244-0-8.cassandra.blog.svc.cluster.local", A).AnswerData);
    }

    [Fact]
    public void Answers_HeadlessSrv_OnePerReadyEndpointTargetingItsHostname()
    {
        var reply = BlogZone.Ask("_cql._tcp.cassandra.blog.svc.cluster.local", Srv);

        Assert.Equal(
            ["0 33 9042 cass-0.cassandra.blog.svc.cluster.local", "0 33 9042 cass-1.cassandra.blog.svc.cluster.local", "0 33 9042 10-244-0-8.cassandra.blog.svc.cluster.local"],
            reply.AnswerData);
        Assert.Equal(["10.244.0.5", "10.244.0.6", "10.244.0.8"], reply.Additional.Select(r => r.Data));
    }

    [Fact]
    public void Answers_NotReadyEndpoints_WhenTheServicePublishesThem()
    {
        Assert.Equal(["10.244.1.9"], BlogZone.Ask("eager.blog.svc.cluster.local", A).AnswerData);
        Assert.Equal(["0 100 8080 10-244-1-9.eager.blog.svc.cluster.local"], BlogZone.Ask("_http._tcp.eager.blog.svc.cluster.local", Srv).AnswerData);
    }

    [Fact]
    public void Answers_ExternalName_WithACnameToTheExternalName()
    {
        var reply = BlogZone.Ask("db.blog.svc.cluster.local", A);

        Assert.Equal(0, reply.Rcode);
        var answer = Assert.Single(reply.Answers);
        Assert.Equal((Cname, "db.example.com"), (answer.Type, answer.Data));
        Assert.Empty(reply.Authority);
    }

    [Fact]
    public void Follows_CnameInsideTheZone_ToTheTargetsRecords()
    {
        var reply = BlogZone.Ask("posts-alias.blog.svc.cluster.local", A);

        Assert.Equal(["posts.blog.svc.cluster.local", "10.96.0.20"], reply.AnswerData);
        Assert.Equal("posts.blog.svc.cluster.local", reply.Answers[1].Name);
    }

    [Fact]
    public void Answers_NameErrorWithTheCname_WhenAnInZoneTargetIsMissing()
    {
        var reply = BlogZone.Ask("gone-alias.blog.svc.cluster.local", A);

        Assert.Equal(3, reply.Rcode);
        Assert.Equal(["missing.blog.svc.cluster.local"], reply.AnswerData);
    }

    [Fact]
    public void Answers_CnameQuery_WithOnlyTheCname()
    {
        Assert.Equal(["posts.blog.svc.cluster.local"], BlogZone.Ask("posts-alias.blog.svc.cluster.local", Cname).AnswerData);
    }

    [Theory]
    [InlineData("20.0.96.10.in-addr.arpa", "posts.blog.svc.cluster.local")]
    [InlineData("0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", "posts.blog.svc.cluster.local")]
    [InlineData("5.0.244.10.in-addr.arpa", "cass-0.cassandra.blog.svc.cluster.local")]
    [InlineData("8.0.244.10.in-addr.arpa", "10-244-0-8.cassandra.blog.svc.cluster.local")]
    public void Answers_Ptr_ForClusterIPsAndHeadlessEndpoints(string name, string target)
    {
        var reply = BlogZone.Ask(name, Ptr);

        Assert.True(reply.Authoritative);
        Assert.Equal([target], reply.AnswerData);
    }

    [Fact]
    public void Answers_DnsVersionTxt_WithTheSchemaVersion()
    {
        Assert.Equal(["1.1.0"], BlogZone.Ask("dns-version.cluster.local", Txt).AnswerData);
    }

    [Fact]
    public void Answers_SoaQueryAtTheApex()
    {
        var reply = BlogZone.Ask("cluster.local", Soa);

        Assert.Equal(["ns.dns.cluster.local hostmaster.cluster.local 1 7200 1800 86400 5"], reply.AnswerData);
    }

    [Fact]
    public void Answers_AnyQuery_WithEveryRecordAtTheName()
    {
        Assert.Equal(["10.96.0.20", "fd00::20"], BlogZone.Ask("posts.blog.svc.cluster.local", Any).AnswerData);
    }

    [Theory]
    [InlineData("10-244-3-7.blog.pod.cluster.local", A, "10.244.3.7")]
    [InlineData("fd00--7.anything.pod.cluster.local", Aaaa, "fd00::7")]
    public void Synthesizes_DeprecatedPodRecords(string name, ushort type, string address)
    {
        Assert.Equal([address], BlogZone.Ask(name, type).AnswerData);
    }

    [Fact]
    public void Echoes_TheQueryCase_InTheQuestionAndAnswerOwner()
    {
        var reply = BlogZone.Ask("PoStS.Blog.SVC.cluster.LOCAL", A);

        Assert.Equal("PoStS.Blog.SVC.cluster.LOCAL", reply.QuestionName);
        Assert.Equal("PoStS.Blog.SVC.cluster.LOCAL", Assert.Single(reply.Answers).Name);
        Assert.Equal("10.96.0.20", reply.Answers[0].Data);
    }

    [Fact]
    public void Serves_AConfiguredZone()
    {
        var responder = new DnsResponder(BlogZone.Table(new DnsTableOptions { Zone = "Mesh.Internal.", TtlSeconds = 30 }));

        var reply = BlogZone.Ask(responder, "users.blog.svc.mesh.internal", A);
        Assert.Equal(30u, Assert.Single(reply.Answers).Ttl);
        Assert.Equal(DnsOutcome.NotInZone, responder.Respond(Query("users.blog.svc.cluster.local", A), new byte[512], DnsTransport.Udp).Outcome);
    }

    [Fact]
    public void Answers_FromTheNewTable_AfterUpdate()
    {
        var responder = new DnsResponder(DnsRecordTable.Empty());
        Assert.Equal(3, BlogZone.Ask(responder, "posts.blog.svc.cluster.local", A).Rcode);

        responder.Update(BlogZone.Table());

        Assert.Equal(["10.96.0.20"], BlogZone.Ask(responder, "posts.blog.svc.cluster.local", A).AnswerData);
    }
}

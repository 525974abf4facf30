using MeshNet.Dns.Tests.TestSupport;
using static MeshNet.Dns.Tests.TestSupport.DnsQueryBuilder;

namespace MeshNet.Dns.Tests;

public sealed class TruncationTests
{
    private const string Big = "big.blog.svc.cluster.local";

    [Fact]
    public void Truncates_ALargeUdpAnswer_To512BytesWithTC()
    {
        var responder = new DnsResponder(BigZone.Table(200));
        var buffer = new byte[DnsResponder.MaxMessageSize];

        var result = responder.Respond(Query(Big, A), buffer, DnsTransport.Udp);

        Assert.InRange(result.Length, 1, 512);
        var reply = DnsTestMessage.Parse(buffer.AsSpan(0, result.Length));
        Assert.True(reply.Truncated);
        Assert.InRange(reply.Answers.Count, 1, 199);
        Assert.Empty(reply.Authority);
    }

    [Fact]
    public void Answers_InFullOverTcp()
    {
        var reply = BlogZone.Ask(new DnsResponder(BigZone.Table(200)), Big, A, DnsTransport.Tcp);

        Assert.False(reply.Truncated);
        Assert.Equal(200, reply.Answers.Count);
    }

    [Theory]
    [InlineData(800, 800)]
    [InlineData(4096, 1232)]
    [InlineData(100, 512)]
    public void Honours_TheEdnsSize_UpToOurOwnLimit(int advertised, int limit)
    {
        var responder = new DnsResponder(BigZone.Table(200));
        var buffer = new byte[DnsResponder.MaxMessageSize];

        var result = responder.Respond(Query(Big, A, ednsSize: advertised), buffer, DnsTransport.Udp);

        Assert.InRange(result.Length, limit - 16, limit);
        var reply = DnsTestMessage.Parse(buffer.AsSpan(0, result.Length));
        Assert.True(reply.Truncated);
        var opt = Assert.Single(reply.Additional);
        Assert.Equal((Opt, (ushort)1232), (opt.Type, opt.Class));
    }

    [Fact]
    public void Includes_Opt_InAnEdnsAnswerThatFits()
    {
        var reply = BlogZone.Ask(new DnsResponder(BlogZone.Table()), "posts.blog.svc.cluster.local", A, ednsSize: 1232);

        Assert.False(reply.Truncated);
        Assert.Equal([Opt], reply.Additional.Select(r => r.Type));
    }

    [Fact]
    public void Drops_AdditionalRecordsThatDoNotFit_WithoutSettingTC()
    {
        var sawPartialAdditional = false;
        for (var endpoints = 1; endpoints <= 20; endpoints++)
        {
            var reply = BlogZone.Ask(new DnsResponder(BigZone.Table(endpoints)), "_http._tcp." + Big, Srv);

            Assert.Equal(reply.Answers.Count < endpoints, reply.Truncated);
            if (reply.Truncated)
            {
                Assert.Empty(reply.Additional);
            }
            else if (reply.Additional.Count < endpoints)
            {
                sawPartialAdditional = true;
            }
        }

        Assert.True(sawPartialAdditional);
    }
}

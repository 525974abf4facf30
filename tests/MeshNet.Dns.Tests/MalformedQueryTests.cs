using MeshNet.Dns.Tests.TestSupport;
using MeshNet.Dns.Wire;
using static MeshNet.Dns.Tests.TestSupport.DnsQueryBuilder;

namespace MeshNet.Dns.Tests;

public sealed class MalformedQueryTests
{
    private const int FormErr = 1;
    private const int NotImp = 4;

    private readonly DnsResponder _responder = new(BlogZone.Table());

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(11)]
    public void Drops_APacketShorterThanAHeader(int length)
    {
        var query = Query("posts.blog.svc.cluster.local", A)[..length];

        Assert.Equal(DnsResponse.Dropped, _responder.Respond(query, new byte[512], DnsTransport.Udp));
    }

    [Fact]
    public void Drops_AResponse_SoTwoServersCannotPingPong()
    {
        var query = Query("posts.blog.svc.cluster.local", A, flags: 0x8100);

        Assert.Equal(DnsOutcome.Dropped, _responder.Respond(query, new byte[512], DnsTransport.Udp).Outcome);
    }

    [Fact]
    public void Answers_FormErr_ForATruncatedQuestion()
    {
        var query = Query("posts.blog.svc.cluster.local", A);

        for (var length = DnsHeader.Size; length < query.Length; length++)
        {
            Assert.Equal(FormErr, Reply(query[..length]).Rcode);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Answers_FormErr_UnlessThereIsExactlyOneQuestion(ushort questions)
    {
        byte[] query = [.. Header(0x4242, 0x0100, questions), .. EncodeName("posts.blog.svc.cluster.local"), 0, 1, 0, 1, .. EncodeName("users.blog.svc.cluster.local"), 0, 1, 0, 1];

        var reply = Reply(query);

        Assert.Equal((FormErr, 0x4242, 0), (reply.Rcode, (int)reply.Header.Id, (int)reply.Header.QuestionCount));
    }

    [Fact]
    public void Answers_FormErr_ForACompressionLoopInTheQuestion()
    {
        byte[] query = [.. Header(1, 0x0100, 1), 0xC0, 0x0C, 0, 1, 0, 1];

        Assert.Equal(FormErr, Reply(query).Rcode);
    }

    [Fact]
    public void Answers_FormErr_ForACompressionLoopInTheAdditionalSection()
    {
        byte[] question = [.. EncodeName("posts.blog.svc.cluster.local"), 0, 1, 0, 1];
        var loopAt = DnsHeader.Size + question.Length;
        byte[] query = [.. Header(1, 0x0100, 1, ar: 1), .. question, (byte)(0xC0 | (loopAt >> 8)), (byte)loopAt, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0];

        Assert.Equal(FormErr, Reply(query).Rcode);
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x7F)]
    [InlineData(0x80)]
    [InlineData(0xBF)]
    public void Answers_FormErr_ForALabelLongerThan63(byte lengthOctet)
    {
        byte[] query = [.. Header(1, 0x0100, 1), lengthOctet, .. new byte[lengthOctet & 0x3F], 0, 0, 1, 0, 1];

        Assert.Equal(FormErr, Reply(query).Rcode);
    }

    [Fact]
    public void Answers_FormErr_ForANameLongerThan255()
    {
        var label = new string('a', 63);
        var query = Query($"{label}.{label}.{label}.{label}.cluster.local", A);

        Assert.Equal(FormErr, Reply(query).Rcode);
    }

    [Fact]
    public void Answers_FormErr_ForTwoOptRecords()
    {
        byte[] opt = [0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0];
        byte[] query = [.. Header(1, 0x0100, 1, ar: 2), .. EncodeName("posts.blog.svc.cluster.local"), 0, 1, 0, 1, .. opt, .. opt];

        Assert.Equal(FormErr, Reply(query).Rcode);
    }

    [Fact]
    public void Answers_NotImp_ForOtherOpcodes()
    {
        var query = Query("posts.blog.svc.cluster.local", A, flags: 2 << 11);

        Assert.Equal(NotImp, Reply(query).Rcode);
    }

    [Fact]
    public void Answers_BadVers_WithAnOptRecord_ForEdnsVersionsAboveZero()
    {
        var reply = Reply(Query("posts.blog.svc.cluster.local", A, ednsSize: 1232, ednsVersion: 1));

        Assert.Equal(0, reply.Rcode);
        var opt = Assert.Single(reply.Additional);
        Assert.Equal((Opt, 1u), (opt.Type, opt.Ttl >> 24));
        Assert.Empty(reply.Answers);
    }

    [Fact]
    public void Answers_NameErrorAndEchoesTheQuestion_ForALabelContainingADot()
    {
        byte[] query = [.. Header(7, 0x0100, 1), 10, .. "posts.blog"u8, .. EncodeName("svc.cluster.local"), 0, 1, 0, 1];
        var buffer = new byte[512];

        var result = _responder.Respond(query, buffer, DnsTransport.Udp);

        Assert.Equal(3, DnsTestMessage.Parse(buffer.AsSpan(0, result.Length)).Rcode);
        Assert.True(buffer.AsSpan(DnsHeader.Size, query.Length - DnsHeader.Size).SequenceEqual(query.AsSpan(DnsHeader.Size)));
    }

    [Fact]
    public void Ignores_TrailingBytesAfterTheQuestion()
    {
        byte[] query = [.. Query("posts.blog.svc.cluster.local", A), 0xDE, 0xAD];

        Assert.Equal(["10.96.0.20"], Reply(query).AnswerData);
    }

    private DnsTestMessage Reply(byte[] query)
    {
        var buffer = new byte[512];
        var result = _responder.Respond(query, buffer, DnsTransport.Udp);
        Assert.Equal(DnsOutcome.Answered, result.Outcome);
        return DnsTestMessage.Parse(buffer.AsSpan(0, result.Length));
    }
}

using MeshNet.Dns.Tests.TestSupport;
using MeshNet.Dns.Wire;

namespace MeshNet.Dns.Tests;

public sealed class WireCodecTests
{
    [Fact]
    public void Writer_CompressesARepeatedSuffix_AndTheReaderExpandsIt()
    {
        var buffer = new byte[64];
        var writer = new DnsMessageWriter(buffer, stackalloc ushort[16]);

        Assert.True(writer.TryWriteName("posts.blog.svc.cluster.local"));
        var second = writer.Position;
        Assert.True(writer.TryWriteName("users.BLOG.svc.cluster.local"));

        Assert.Equal(second + 1 + "users".Length + 2, writer.Position);
        var reader = new DnsMessageReader(buffer.AsSpan(0, writer.Position), second);
        Span<char> name = stackalloc char[DnsMessageReader.MaxNameTextLength];
        Assert.Equal(DnsNameStatus.Ok, reader.TryReadName(name, out var length));
        Assert.Equal("users.blog.svc.cluster.local", name[..length].ToString());
        Assert.Equal(writer.Position, reader.Position);
    }

    [Fact]
    public void Writer_DoesNotCompress_WhenAskedNotTo()
    {
        var buffer = new byte[128];
        var writer = new DnsMessageWriter(buffer, stackalloc ushort[16]);
        writer.TryWriteName("cluster.local");
        var before = writer.Position;

        Assert.True(writer.TryWriteName("svc.cluster.local", compress: false));

        Assert.Equal(before + "svc.cluster.local".Length + 2, writer.Position);
    }

    [Fact]
    public void Writer_LeavesNothingBehind_WhenANameDoesNotFit()
    {
        var buffer = new byte[20];
        var writer = new DnsMessageWriter(buffer, stackalloc ushort[16]);
        writer.TryWriteUInt16(7);

        Assert.False(writer.TryWriteName("posts.blog.svc.cluster.local"));

        Assert.Equal(2, writer.Position);
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 0x00 }, nameof(DnsNameStatus.PointerLoop))]
    [InlineData(new byte[] { 0x01, (byte)'a', 0xC0, 0x02 }, nameof(DnsNameStatus.PointerLoop))]
    [InlineData(new byte[] { 0x03, (byte)'a' }, nameof(DnsNameStatus.Truncated))]
    [InlineData(new byte[] { 0x01, (byte)'a' }, nameof(DnsNameStatus.Truncated))]
    [InlineData(new byte[] { 0xC0 }, nameof(DnsNameStatus.Truncated))]
    [InlineData(new byte[] { 0x41, 0x00 }, nameof(DnsNameStatus.BadLabelType))]
    [InlineData(new byte[] { 0x00 }, nameof(DnsNameStatus.Ok))]
    public void Reader_RejectsBadNames_WithTheReason(byte[] message, string expected)
    {
        var reader = new DnsMessageReader(message);

        Assert.Equal(expected, reader.TryReadName(new char[DnsMessageReader.MaxNameTextLength], out _).ToString());
    }

    [Fact]
    public void Reader_RejectsPointersThatJumpForward_EvenWhenTheyWouldTerminate()
    {
        byte[] message = [0xC0, 0x02, 0x01, (byte)'a', 0x00];

        Assert.Equal(DnsNameStatus.PointerLoop, new DnsMessageReader(message).TryReadName(new char[253], out _));
    }

    [Fact]
    public void Reader_AcceptsANameOfExactly255Octets_AndRejects256()
    {
        var label = new string('a', 63);
        var longest = DnsQueryBuilder.EncodeName($"{label}.{label}.{label}.{new string('b', 61)}");
        var tooLong = DnsQueryBuilder.EncodeName($"{label}.{label}.{label}.{new string('b', 62)}");
        Assert.Equal(255, longest.Length);

        var chars = new char[DnsMessageReader.MaxNameTextLength];
        Assert.Equal(DnsNameStatus.Ok, new DnsMessageReader(longest).TryReadName(chars, out var length));
        Assert.Equal(253, length);
        Assert.Equal(DnsNameStatus.TooLong, new DnsMessageReader(tooLong).TryReadName(chars, out _));
    }

    [Fact]
    public void Reader_FollowsBackwardPointerChains()
    {
        byte[] message = [0x03, .. "com"u8, 0x00, 0x07, .. "example"u8, 0xC0, 0x00, 0x03, .. "www"u8, 0xC0, 0x05];
        var reader = new DnsMessageReader(message, 15);
        var chars = new char[253];

        Assert.Equal(DnsNameStatus.Ok, reader.TryReadName(chars, out var length));
        Assert.Equal("www.example.com", new string(chars, 0, length));
        Assert.Equal(message.Length, reader.Position);
    }
}

using System.Buffers;
using System.Text;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Discovery;
using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Tests;

public sealed class HostKeysTests
{
    [Fact]
    public void Port80Domain_MatchesWithAndWithoutPortAndTrailingDot()
    {
        Assert.Equal(["posts.blog:80", "posts.blog", "posts.blog.:80", "posts.blog."], HostKeys.LookupKeys("Posts.Blog:80"[..]).Select(k => k.ToLowerInvariant()));
    }

    [Fact]
    public void OtherPort_RequiresThePort()
    {
        Assert.Equal(["posts:8080", "posts.:8080"], HostKeys.LookupKeys("posts:8080"));
    }

    [Fact]
    public void IpDomain_HasNoTrailingDotSpelling()
    {
        Assert.Equal(["10.96.0.12:80", "10.96.0.12"], HostKeys.LookupKeys("10.96.0.12:80"));
    }

    [Theory]
    [InlineData("posts:80", true)]
    [InlineData("[fd00::1]:80", true)]
    [InlineData("posts", false)]
    [InlineData("posts:0", false)]
    [InlineData(":80", false)]
    [InlineData("fd00::1:80", false)]
    public void Split_AcceptsOnlyHostColonPort(string domain, bool valid)
    {
        Assert.Equal(valid, HostKeys.TrySplit(domain, out _, out _));
    }
}

public sealed class Http2PrefaceTests
{
    [Theory]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", true)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nextra frames", true)]
    [InlineData("PRI * HTTP/2", null)]
    [InlineData("", null)]
    [InlineData("GET / HTTP/1.1\r\n", false)]
    [InlineData("PRIX", false)]
    public void Compare_DecidesOnlyWhenItCan(string received, bool? expected)
    {
        Assert.Equal(expected, Http2PriorKnowledgeDetector.Compare(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(received))));
    }
}

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Doubles_FromInitialToMaximum_WithoutJitterAtTheMidpoint()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), 0.2, () => 0.5);

        var delays = Enumerable.Range(0, 9).Select(_ => backoff.Next().TotalMilliseconds).ToArray();

        Assert.Equal([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000], delays);
    }

    [Fact]
    public void Jitter_StaysWithinTwentyPercent()
    {
        var low = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 0.2, () => 0.0);
        var high = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 0.2, () => 0.999999);

        Assert.Equal(800, low.Next().TotalMilliseconds, 1);
        Assert.Equal(1200, high.Next().TotalMilliseconds, 1);
    }

    [Fact]
    public void Reset_StartsOverFromInitial()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), 0.2, () => 0.5);
        backoff.Next();
        backoff.Next();

        backoff.Reset();

        Assert.Equal(100, backoff.Next().TotalMilliseconds);
    }
}

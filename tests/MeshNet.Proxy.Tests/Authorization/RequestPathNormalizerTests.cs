using MeshNet.Proxy.Authorization;

namespace MeshNet.Proxy.Tests.Authorization;

/// <summary>The normalisation corpus: what each raw path becomes, and which are refused and why.</summary>
public sealed class RequestPathNormalizerTests
{
    public static TheoryData<string, string> Normalised => new()
    {
        { "/", "/" },
        { "", "/" },
        { "/posts/1", "/posts/1" },
        { "/posts/", "/posts/" },
        // Unreserved characters are decoded, in either hex case.
        { "/%61dmin", "/admin" },
        { "/%41%42%7e%2D%2e%5F", "/AB~-._" },
        // Other escapes stay escaped, with upper-case hex.
        { "/a%20b", "/a%20b" },
        { "/a%3bb", "/a%3Bb" },
        { "/a%3Fb", "/a%3Fb" },
        { "/%25", "/%25" },
        { "/%2561dmin", "/%2561dmin" },
        { "/caf%c3%a9", "/caf%C3%A9" },
        // Dot segments.
        { "/a/./b", "/a/b" },
        { "/a/b/../c", "/a/c" },
        { "/a/b/..", "/a/" },
        { "/a/b/.", "/a/b/" },
        { "/a/..", "/" },
        { "/./a", "/a" },
        { "/a/%2e%2E/admin", "/admin" },
        { "/a/.%2E/admin", "/admin" },
        { "/posts/x/../../admin", "/admin" },
        { "/a/...", "/a/..." },
        { "/a/.b/..c", "/a/.b/..c" },
        // Double slashes.
        { "//admin", "/admin" },
        { "/posts//1", "/posts/1" },
        { "/posts///", "/posts/" },
        { "/a//..//b", "/b" },
        // Reserved characters that arrive literally stay as they are.
        { "/a;b=c/d:e@f!$&'()*+,", "/a;b=c/d:e@f!$&'()*+," },
    };

    [Theory]
    [MemberData(nameof(Normalised))]
    public void Normalises(string raw, string expected)
    {
        Assert.Equal(PathVerdict.Normalized, RequestPathNormalizer.Normalize(raw, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("/a%2Fb", nameof(PathVerdict.EncodedSeparator))]
    [InlineData("/a%2fb", nameof(PathVerdict.EncodedSeparator))]
    [InlineData("/..%2F..%2Fetc", nameof(PathVerdict.EncodedSeparator))]
    [InlineData("/a%5Cb", nameof(PathVerdict.EncodedSeparator))]
    [InlineData("/a%5cb", nameof(PathVerdict.EncodedSeparator))]
    [InlineData("/a\\b", nameof(PathVerdict.EncodedSeparator))]
    [InlineData("/a%00b", nameof(PathVerdict.Nul))]
    [InlineData("/admin%00.png", nameof(PathVerdict.Nul))]
    [InlineData("/a#b", nameof(PathVerdict.Fragment))]
    [InlineData("/..", nameof(PathVerdict.EscapesRoot))]
    [InlineData("/../admin", nameof(PathVerdict.EscapesRoot))]
    [InlineData("/a/../../admin", nameof(PathVerdict.EscapesRoot))]
    [InlineData("/%2e%2e/admin", nameof(PathVerdict.EscapesRoot))]
    [InlineData("//../admin", nameof(PathVerdict.EscapesRoot))]
    [InlineData("/a%", nameof(PathVerdict.Malformed))]
    [InlineData("/a%4", nameof(PathVerdict.Malformed))]
    [InlineData("/a%zz", nameof(PathVerdict.Malformed))]
    [InlineData("/a b", nameof(PathVerdict.Malformed))]
    [InlineData("/a\u00e9", nameof(PathVerdict.Malformed))]
    [InlineData("/a\tb", nameof(PathVerdict.Malformed))]
    [InlineData("admin", nameof(PathVerdict.Malformed))]
    public void Refuses_AmbiguousPaths(string raw, string expected) =>
        Assert.Equal(expected, RequestPathNormalizer.Normalize(raw, out _).ToString());

    [Fact]
    public void ReturnsTheSameInstance_WhenAlreadyNormal()
    {
        var raw = "/posts/1/comments?";
        raw = raw[..^1];

        RequestPathNormalizer.Normalize(raw, out var normalized);

        Assert.Same(raw, normalized);
    }

    [Fact]
    public void Normalises_PathsLongerThanTheStackBuffer()
    {
        var segment = string.Concat(Enumerable.Repeat("abcdefgh/", 200));

        RequestPathNormalizer.Normalize("/" + segment + "./%61//x/..", out var normalized);

        Assert.Equal("/" + segment + "a/", normalized);
    }

    [Theory]
    [InlineData("Posts.Blog", "posts.blog")]
    [InlineData("POSTS.BLOG.SVC.CLUSTER.LOCAL:8080", "posts.blog.svc.cluster.local:8080")]
    [InlineData("posts.blog", "posts.blog")]
    public void LowerCases_Hosts(string host, string expected) =>
        Assert.Equal(expected, RequestPathNormalizer.NormalizeHost(host));

    [Theory]
    [InlineData("/a/../b?x=/../y", "/b")]
    [InlineData("http://Posts.Blog:80/a/./b?q", "/a/b")]
    [InlineData("http://posts.blog", "/")]
    [InlineData("http://posts.blog?q=1", "/")]
    [InlineData("*", "*")]
    public void NormalizesTargets_OriginAndAbsoluteForm(string target, string expected)
    {
        Assert.Equal(PathVerdict.Normalized, InboundAuthorization.NormalizeTarget(target, out var path));
        Assert.Equal(expected, path);
    }

    [Fact]
    public void ReusesTheDecodedPath_WhenTheTargetHasAQuery()
    {
        var decoded = new string("/posts/1".AsSpan());

        InboundAuthorization.NormalizeTarget("/posts/1?page=2", out var path, decoded);

        Assert.Same(decoded, path);
    }

    [Theory]
    [InlineData("/a?b#c", nameof(PathVerdict.Fragment))]
    [InlineData("/a?x=%2F", nameof(PathVerdict.Normalized))]
    [InlineData("posts", nameof(PathVerdict.Malformed))]
    public void JudgesOnlyThePath_ButRefusesFragmentsAnywhere(string target, string expected) =>
        Assert.Equal(expected, InboundAuthorization.NormalizeTarget(target, out _).ToString());
}

using System.Collections.Immutable;
using MeshNet.Model;

namespace MeshNet.Model.Tests;

public sealed class LabelSelectorTests
{
    private static ImmutableDictionary<string, string> Labels(params (string Key, string Value)[] pairs) =>
        pairs.ToImmutableDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void Matches_WhenEverySelectorPairIsPresent()
    {
        Assert.True(LabelSelector.Matches(Labels(("app", "posts")), Labels(("app", "posts"), ("version", "v1"))));
    }

    [Theory]
    [InlineData("app", "users")]
    [InlineData("tier", "posts")]
    public void DoesNotMatch_WhenAPairIsMissingOrDifferent(string key, string value)
    {
        Assert.False(LabelSelector.Matches(Labels((key, value)), Labels(("app", "posts"))));
    }

    [Fact]
    public void EmptySelector_MatchesNothing()
    {
        Assert.False(LabelSelector.Matches(Labels(), Labels(("app", "posts"))));
    }

    [Fact]
    public void ServiceHostAliases_IncludeBareNameOnlyInOwnNamespace()
    {
        Assert.Equal(
            ["posts", "posts.blog", "posts.blog.svc", "posts.blog.svc.cluster.local"],
            MeshNames.ServiceHostAliases("blog", "posts", "blog"));
        Assert.Equal(
            ["posts.blog", "posts.blog.svc", "posts.blog.svc.cluster.local"],
            MeshNames.ServiceHostAliases("blog", "posts", "default"));
    }
}

using MeshNet.ControlPlane.Identity;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.ControlPlane.Tests.Identity;

public sealed class JoinTokenStoreTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meshnet-tokens-");
    private readonly FakeTimeProvider _time = new(IdentityFixture.Start);

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Stores_OnlyTheTokensHash_OwnerOnly()
    {
        var store = new JoinTokenStore(_directory.FullName, _time);

        var issued = store.Issue("blog", "posts", TimeSpan.FromHours(24));

        var path = Path.Combine(_directory.FullName, JoinTokenStore.FileName);
        var file = File.ReadAllText(path);
        Assert.StartsWith(JoinTokenStore.Prefix, issued.Token, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Token, file, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Token[JoinTokenStore.Prefix.Length..], file, StringComparison.Ordinal);
        Assert.Contains(issued.Entry.Sha256, file, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Authenticates_AToken_AfterARestart()
    {
        var issued = new JoinTokenStore(_directory.FullName, _time).Issue("blog", "posts", TimeSpan.FromHours(24));

        var reloaded = new JoinTokenStore(_directory.FullName, _time);

        Assert.True(reloaded.TryAuthenticate(issued.Token, out var entry, out _));
        Assert.Equal(("blog", "posts"), (entry.Namespace, entry.ServiceAccount));
    }

    [Fact]
    public void Refuses_ATokenOnceItExpires()
    {
        var store = new JoinTokenStore(null, _time);
        var issued = store.Issue("blog", "posts", TimeSpan.FromMinutes(10));

        _time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        Assert.True(store.TryAuthenticate(issued.Token, out _, out _));
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.False(store.TryAuthenticate(issued.Token, out var entry, out var refusal));
        Assert.Null(entry);
        Assert.Equal("join token for blog/posts expired at 2026-11-26 12:10:00Z", refusal);
    }

    [Fact]
    public void Mints_ADifferentTokenEveryTime()
    {
        var store = new JoinTokenStore(null, _time);

        var tokens = Enumerable.Range(0, 20).Select(_ => store.Issue("blog", "posts", TimeSpan.FromHours(1)).Token).ToHashSet();

        Assert.Equal(20, tokens.Count);
        Assert.All(tokens, t => Assert.Equal(JoinTokenStore.Prefix.Length + 43, t.Length));
    }

    [Theory]
    [InlineData("Blog", "posts", "namespace \"Blog\" is not a valid namespace name (RFC 1123 label)")]
    [InlineData("blog", "posts/../x", "serviceAccount \"posts/../x\" is not a valid service account name (RFC 1123 subdomain)")]
    [InlineData("blog", "", "serviceAccount \"\" is not a valid service account name (RFC 1123 subdomain)")]
    public void Refuses_NamesThatAreNotKubernetesNames(string ns, string serviceAccount, string message)
    {
        var store = new JoinTokenStore(null, _time);

        Assert.Equal(message, JoinTokenStore.Validate(ns, serviceAccount, TimeSpan.FromHours(1)));
        Assert.Throws<ArgumentException>(() => store.Issue(ns, serviceAccount, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Forgets_TokensLongExpired_WhenIssuingNewOnes()
    {
        var store = new JoinTokenStore(_directory.FullName, _time);
        var old = store.Issue("blog", "posts", TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromDays(8));

        store.Issue("blog", "comments", TimeSpan.FromHours(1));

        Assert.DoesNotContain(old.Entry.Sha256, File.ReadAllText(Path.Combine(_directory.FullName, JoinTokenStore.FileName)), StringComparison.Ordinal);
        Assert.False(store.TryAuthenticate(old.Token, out _, out var refusal));
        Assert.Equal("join token unknown", refusal);
    }
}

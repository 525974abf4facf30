// TokenReviewAuthenticator over the real KubernetesClient against ApiServerDouble, a test double of the Kubernetes API
// server (none can run here), which records every TokenReview it answers; time is a FakeTimeProvider.
using System.Buffers.Text;
using System.Text;
using Grpc.Core;
using MeshNet.ControlPlane.Identity;
using MeshNet.Kubernetes.Api;
using MeshNet.Kubernetes.Tests.Api;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.ControlPlane.Tests.Identity;

public sealed class TokenReviewCacheTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private ApiServerDouble _server = null!;
    private k8s.IKubernetes _client = null!;
    private TokenReviewCache _cache = null!;
    private TokenReviewAuthenticator _authenticator = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServerDouble.StartAsync();
        _client = _server.CreateClient();
        _cache = new TokenReviewCache(_time);
        _authenticator = new TokenReviewAuthenticator(new TokenReviewClient(_client), ["meshnet"], _cache, NullLogger<TokenReviewAuthenticator>.Instance);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>A JWT-shaped token whose payload carries <paramref name="expiresIn"/> as exp; the signature is never checked here.</summary>
    private static string Jwt(string subject, TimeSpan? expiresIn = null)
    {
        var exp = expiresIn is { } e ? $",\"exp\":{(Start + e).ToUnixTimeSeconds()}" : string.Empty;
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"sub\":\"{subject}\"{exp}}}"));
        return $"eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln";
    }

    private string Accepted(string serviceAccount, TimeSpan? expiresIn = null)
    {
        var token = Jwt("system:serviceaccount:blog:" + serviceAccount, expiresIn);
        _server.AcceptToken(token, "system:serviceaccount:blog:" + serviceAccount, "meshnet");
        return token;
    }

    private int Reviews(string token) => _server.TokenReviews.Count(r => r.Token == token);

    [Fact]
    public async Task ManyCertifiesWithOneToken_MakeOneReview()
    {
        var token = Accepted("posts", TimeSpan.FromHours(1));

        for (var i = 0; i < 5; i++)
        {
            var result = await _authenticator.AuthenticateAsync(token, CancellationToken.None);
            Assert.Equal(("blog", "posts"), (result.Namespace, result.ServiceAccount));
        }

        Assert.Equal(1, Reviews(token));
    }

    [Fact]
    public async Task APositiveAnswer_IsReviewedAgain_AfterTheCap()
    {
        var token = Accepted("posts", TimeSpan.FromHours(1));
        await _authenticator.AuthenticateAsync(token, CancellationToken.None);

        _time.Advance(TokenReviewCache.PositiveTtl - TimeSpan.FromSeconds(1));
        await _authenticator.AuthenticateAsync(token, CancellationToken.None);
        Assert.Equal(1, Reviews(token));

        _time.Advance(TimeSpan.FromSeconds(1));
        var again = await _authenticator.AuthenticateAsync(token, CancellationToken.None);
        Assert.Equal(2, Reviews(token));
        Assert.Equal("posts", again.ServiceAccount);
    }

    [Fact]
    public async Task APositiveAnswer_EndsShortlyBeforeTheTokensOwnExpiry()
    {
        // exp in 60 s: reusable for 60 - 30 = 30 s, well inside the two-minute cap.
        var token = Accepted("posts", TimeSpan.FromSeconds(60));
        await _authenticator.AuthenticateAsync(token, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(29));
        await _authenticator.AuthenticateAsync(token, CancellationToken.None);
        Assert.Equal(1, Reviews(token));

        _time.Advance(TimeSpan.FromSeconds(1));
        await _authenticator.AuthenticateAsync(token, CancellationToken.None);
        Assert.Equal(2, Reviews(token));
    }

    [Fact]
    public async Task ATokenWithinTheMarginOfItsExpiry_IsNotCached()
    {
        var token = Accepted("posts", TimeSpan.FromSeconds(20));

        await _authenticator.AuthenticateAsync(token, CancellationToken.None);
        await _authenticator.AuthenticateAsync(token, CancellationToken.None);

        Assert.Equal(2, Reviews(token));
        Assert.Equal(0, _cache.Count);
    }

    [Fact]
    public async Task ARefusedToken_IsRefusedAgainWithoutASecondReview_WithinTheNegativeTtl()
    {
        var forged = Jwt("system:serviceaccount:blog:posts", TimeSpan.FromHours(1));

        var first = await _authenticator.AuthenticateAsync(forged, CancellationToken.None);
        _time.Advance(TokenReviewCache.NegativeTtl - TimeSpan.FromSeconds(1));
        var second = await _authenticator.AuthenticateAsync(forged, CancellationToken.None);

        Assert.Equal(StatusCode.PermissionDenied, first.Refusal!.Code);
        Assert.Equal(first.Refusal, second.Refusal);
        Assert.Equal(1, Reviews(forged));

        _time.Advance(TimeSpan.FromSeconds(1));
        await _authenticator.AuthenticateAsync(forged, CancellationToken.None);
        Assert.Equal(2, Reviews(forged));
    }

    [Fact]
    public async Task TwoTokens_AreNeverConfused()
    {
        var posts = Accepted("posts", TimeSpan.FromHours(1));
        var users = Accepted("users", TimeSpan.FromHours(1));
        var forged = posts[..^1] + "x";

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("posts", (await _authenticator.AuthenticateAsync(posts, CancellationToken.None)).ServiceAccount);
            Assert.Equal("users", (await _authenticator.AuthenticateAsync(users, CancellationToken.None)).ServiceAccount);
            Assert.NotNull((await _authenticator.AuthenticateAsync(forged, CancellationToken.None)).Refusal);
        }

        Assert.Equal((1, 1, 1), (Reviews(posts), Reviews(users), Reviews(forged)));
    }

    [Fact]
    public async Task AFailedReview_IsNotCached()
    {
        // Nothing listens on port 1: the review itself fails, which says nothing about the token.
        using var unreachable = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });
        var authenticator = new TokenReviewAuthenticator(new TokenReviewClient(unreachable), ["meshnet"], _cache, NullLogger<TokenReviewAuthenticator>.Instance);

        var result = await authenticator.AuthenticateAsync(Jwt("posts", TimeSpan.FromHours(1)), CancellationToken.None);

        Assert.Equal(StatusCode.Unavailable, result.Refusal!.Code);
        Assert.Equal(0, _cache.Count);
    }

    [Fact]
    public void RefusalsFillTheirOwnBound_WithoutEvictingAcceptedTokens()
    {
        var cache = new TokenReviewCache(_time);
        var good = new TokenReviewResult(true, "system:serviceaccount:blog:posts", ["meshnet"], null, new Dictionary<string, IList<string>>());
        var bad = new TokenReviewResult(false, null, [], "invalid bearer token", new Dictionary<string, IList<string>>());
        cache.Add("good", good);

        for (var i = 0; i < TokenReviewCache.MaxNegativeEntries + 50; i++)
        {
            cache.Add("bad-" + i, bad);
        }

        Assert.Equal(TokenReviewCache.MaxNegativeEntries + 1, cache.Count);
        Assert.True(cache.TryGet("good", out var kept));
        Assert.Same(good, kept);
        Assert.True(cache.TryGet("bad-" + (TokenReviewCache.MaxNegativeEntries + 49), out _));
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.!!!.c2ln")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOiJzb29uIn0.c2ln")]
    public void ExpiryOf_IsNull_ForTokensWithoutAReadableExp(string token) => Assert.Null(TokenReviewCache.ExpiryOf(token));

    [Fact]
    public void ExpiryOf_ReadsExpFromThePayload() =>
        Assert.Equal(Start + TimeSpan.FromMinutes(10), TokenReviewCache.ExpiryOf(Jwt("x", TimeSpan.FromMinutes(10))));
}

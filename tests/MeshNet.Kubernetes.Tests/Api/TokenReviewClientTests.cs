// TokenReview over KubernetesClient against ApiServerDouble, a test double of the Kubernetes API server (none can run here).
using MeshNet.Kubernetes.Api;

namespace MeshNet.Kubernetes.Tests.Api;

public sealed class TokenReviewClientTests
{
    [Fact]
    public async Task AcceptedToken_NamesItsServiceAccount_AndTheAudienceWasAsked()
    {
        await using var server = await ApiServerDouble.StartAsync();
        server.AcceptToken("eyJhbGciOiJSUzI1NiJ9.posts", "system:serviceaccount:blog:posts", "meshnet");
        using var client = server.CreateClient();

        var result = await new TokenReviewClient(client).ReviewAsync("eyJhbGciOiJSUzI1NiJ9.posts", ["meshnet"], CancellationToken.None);

        Assert.True(result.Authenticated);
        Assert.Equal(("blog", "posts"), result.ServiceAccount);
        Assert.Equal(["meshnet"], result.Audiences);
        Assert.Equal(["meshnet"], Assert.Single(server.TokenReviews).Audiences);
    }

    [Theory]
    [InlineData("unknown-token", "meshnet")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.posts", "another-audience")]
    public async Task RejectedToken_IsNotAuthenticated_AndSaysWhy(string token, string audience)
    {
        await using var server = await ApiServerDouble.StartAsync();
        server.AcceptToken("eyJhbGciOiJSUzI1NiJ9.posts", "system:serviceaccount:blog:posts", "meshnet");
        using var client = server.CreateClient();

        var result = await new TokenReviewClient(client).ReviewAsync(token, [audience], CancellationToken.None);

        Assert.False(result.Authenticated);
        Assert.Null(result.ServiceAccount);
        Assert.StartsWith("[invalid bearer token", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("system:serviceaccount:blog:posts", "blog", "posts")]
    [InlineData("system:serviceaccount:blog", null, null)]
    [InlineData("system:node:kind-worker", null, null)]
    [InlineData("alice@example.com", null, null)]
    public void ServiceAccount_IsReadOnlyFromServiceAccountUsernames(string username, string? ns, string? name)
    {
        var result = new TokenReviewResult(true, username, [], null, new Dictionary<string, IList<string>>());

        Assert.Equal(ns is null ? null : (ns, name!), result.ServiceAccount);
    }
}

using MeshNet.Protocol.V1;
using static MeshNet.Proxy.Tests.Configuration.TableFixtures;

namespace MeshNet.Proxy.Tests.Configuration;

public sealed class RequestMatchTests
{
    [Theory]
    [InlineData("/api", "/api", true)]
    [InlineData("/api", "/api/", true)]
    [InlineData("/api", "/api/users/7", true)]
    [InlineData("/api", "/apix", false)]
    [InlineData("/api", "/API", false)]
    [InlineData("/api", "/", false)]
    [InlineData("/api/", "/api", true)]
    [InlineData("/api/", "/api/x", true)]
    [InlineData("/api/", "/apix", false)]
    [InlineData("/", "/anything", true)]
    [InlineData("", "/anything", true)]
    public void PathPrefix_MatchesWholeSegments(string prefix, string path, bool matches)
    {
        var table = new TableFixtures().Routes(Route("r", new RouteMatch { Path = new PathMatch { Type = PathMatch.Types.Type.Prefix, Value = prefix } }));

        Assert.Equal(matches ? "r" : null, RouteFor(table, Request(path)));
    }

    [Theory]
    [InlineData("/api", "/api/users", true)]
    [InlineData("/api", "/apix", false)]
    public void LegacyPathPrefix_HasTheSameSegmentSemantics_WhenPathIsUnset(string prefix, string path, bool matches)
    {
        var table = new TableFixtures().Routes(Route("r", new RouteMatch { PathPrefix = prefix }));

        Assert.Equal(matches ? "r" : null, RouteFor(table, Request(path)));
    }

    [Fact]
    public void Path_TakesPrecedenceOverPathPrefix()
    {
        var table = new TableFixtures().Routes(Route("r", new RouteMatch { PathPrefix = "/old", Path = new PathMatch { Type = PathMatch.Types.Type.Prefix, Value = "/new" } }));

        Assert.Equal("r", RouteFor(table, Request("/new/x")));
        Assert.Null(RouteFor(table, Request("/old/x")));
    }

    [Theory]
    [InlineData("/healthz", "/healthz", true)]
    [InlineData("/healthz", "/healthz/", false)]
    [InlineData("/healthz", "/Healthz", false)]
    public void ExactPath_MatchesOnlyThatPath(string exact, string path, bool matches)
    {
        var table = new TableFixtures().Routes(Route("r", new RouteMatch { Path = new PathMatch { Type = PathMatch.Types.Type.Exact, Value = exact } }));

        Assert.Equal(matches ? "r" : null, RouteFor(table, Request(path)));
    }

    [Theory]
    [InlineData("/posts/[0-9]+", "/posts/42", true)]
    [InlineData("/posts/[0-9]+", "/posts/42/comments", false)]
    [InlineData("/posts/[0-9]+", "/v1/posts/42", false)]
    [InlineData("/a|/b", "/b", true)]
    [InlineData("/a|/b", "/ab", false)]
    public void RegexPath_IsAnchoredToTheWholePath(string pattern, string path, bool matches)
    {
        var table = new TableFixtures().Routes(Route("r", new RouteMatch { Path = new PathMatch { Type = PathMatch.Types.Type.Regex, Value = pattern } }));

        Assert.Equal(matches ? "r" : null, RouteFor(table, Request(path)));
    }

    [Fact]
    public void RegexThatTimesOut_CountsAsNoMatch()
    {
        // Nested quantifiers on a long non-matching input: exponential backtracking, well past the 10 ms limit.
        const string Evil = "/(a+)+b";
        var input = "/" + new string('a', 40) + "c";
        Assert.Throws<System.Text.RegularExpressions.RegexMatchTimeoutException>(() => MeshNet.Proxy.Configuration.RouteRegex.Create(Evil, compiled: true).IsMatch(input));
        var table = new TableFixtures().Routes(
            Route("evil", new RouteMatch { Path = new PathMatch { Type = PathMatch.Types.Type.Regex, Value = Evil } }),
            Route("fallback"));

        Assert.Equal("fallback", RouteFor(table, Request(input)));
    }

    [Theory]
    [InlineData("x-canary", "true", true)]
    [InlineData("X-Canary", "true", true)]
    [InlineData("x-canary", "TRUE", false)]
    [InlineData("x-canary", "true ", false)]
    [InlineData("x-other", "true", false)]
    public void ExactHeader_HasCaseInsensitiveNames_AndCaseSensitiveValues(string name, string value, bool matches)
    {
        var table = new TableFixtures().Routes(Route("r", Header("x-canary", "true")));

        Assert.Equal(matches ? "r" : null, RouteFor(table, Request("/", headers: new Dictionary<string, string[]> { [name] = [value] })));
    }

    [Fact]
    public void RegexHeader_IsAnchored_AndAnyValueOfARepeatedHeaderMayMatch()
    {
        var table = new TableFixtures().Routes(Route("r", Header("x-user", "user-[0-9]+", HeaderMatch.Types.Type.Regex)));

        Assert.Equal("r", RouteFor(table, Request("/", headers: new Dictionary<string, string[]> { ["x-user"] = ["user-12"] })));
        Assert.Null(RouteFor(table, Request("/", headers: new Dictionary<string, string[]> { ["x-user"] = ["user-12x"] })));
        Assert.Equal("r", RouteFor(table, Request("/", headers: new Dictionary<string, string[]> { ["x-user"] = ["admin", "user-3"] })));
    }

    [Fact]
    public void EveryCondition_MustHold()
    {
        var match = Header("x-canary", "true");
        match.Headers.Add(new HeaderMatch { Name = "x-region", Value = "eu" });
        match.Method = "POST";
        match.Path = new PathMatch { Type = PathMatch.Types.Type.Prefix, Value = "/api" };
        var table = new TableFixtures().Routes(Route("r", match));
        var both = new Dictionary<string, string[]> { ["x-canary"] = ["true"], ["x-region"] = ["eu"] };

        Assert.Equal("r", RouteFor(table, Request("/api/x", "POST", both)));
        Assert.Null(RouteFor(table, Request("/api/x", "GET", both)));
        Assert.Null(RouteFor(table, Request("/web", "POST", both)));
        Assert.Null(RouteFor(table, Request("/api/x", "POST", new Dictionary<string, string[]> { ["x-canary"] = ["true"] })));
    }

    [Fact]
    public void MoreMatches_AreOred_AndTheFirstMatchingRouteWins()
    {
        var table = new TableFixtures().Routes(
            Route("marked", Header("x-canary", "true"), new RouteMatch { Method = "DELETE" }),
            Route("api", new RouteMatch { Path = new PathMatch { Value = "/api" } }),
            Route("rest"));

        Assert.Equal("marked", RouteFor(table, Request("/api", headers: new Dictionary<string, string[]> { ["x-canary"] = ["true"] })));
        Assert.Equal("marked", RouteFor(table, Request("/api", "DELETE")));
        Assert.Equal("api", RouteFor(table, Request("/api/1")));
        Assert.Equal("rest", RouteFor(table, Request("/home")));
    }

    [Fact]
    public void RouteWithOnlyAConditionedMatch_TakesNothingElse()
    {
        var table = new TableFixtures().Routes(Route("get-only", new RouteMatch { Method = "GET" }));

        Assert.Null(RouteFor(table, Request("/", "PUT")));
        Assert.Equal("get-only", RouteFor(table, Request("/", "GET")));
    }

    private static RouteMatch Header(string name, string value, HeaderMatch.Types.Type type = HeaderMatch.Types.Type.Exact)
    {
        var match = new RouteMatch();
        match.Headers.Add(new HeaderMatch { Name = name, Value = value, Type = type });
        return match;
    }
}

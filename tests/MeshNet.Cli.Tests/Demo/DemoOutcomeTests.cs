using MeshNet.Cli.Demo;

namespace MeshNet.Cli.Tests.Demo;

public sealed class DemoOutcomeTests
{
    [Fact]
    public void Fails_WithTheFirstFailedBackendCall_KeepingTheAnswersThatCameBack()
    {
        var reply = new FrontendReply("frontend", "v1", "frontend-a",
        [
            new FrontendCall("users", true, 200, new ServiceReply("users", "v1", "users-1"), null),
            new FrontendCall("posts", false, 503, null, "no-healthy-endpoints"),
            new FrontendCall("comments", false, null, null, "Connection refused"),
        ]);

        var outcome = DemoOutcome.FromReply(TimeSpan.FromMilliseconds(5), reply);

        Assert.False(outcome.Succeeded);
        Assert.Equal("posts: 503 no-healthy-endpoints", outcome.Failure);
        Assert.Equal(["frontend-a", "users-1"], outcome.Answers.Select(a => a.Pod));
    }

    [Fact]
    public void Parses_TheFrontendJsonTheBlogAppWrites()
    {
        const string json = """
            {"service":"frontend","version":"v1","pod":"fe-1","calls":[{"target":"posts","ok":true,"status":200,"answeredBy":{"service":"posts","version":"v2","pod":"posts-v2-x"},"error":null}]}
            """;

        var reply = System.Text.Json.JsonSerializer.Deserialize(json, DemoJsonContext.Default.FrontendReply)!;
        var outcome = DemoOutcome.FromReply(TimeSpan.Zero, reply);

        Assert.True(outcome.Succeeded);
        Assert.Equal([new ServiceReply("frontend", "v1", "fe-1"), new ServiceReply("posts", "v2", "posts-v2-x")], outcome.Answers);
    }
}

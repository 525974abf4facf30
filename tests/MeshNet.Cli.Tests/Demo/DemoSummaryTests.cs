using MeshNet.Cli.Demo;

namespace MeshNet.Cli.Tests.Demo;

public sealed class DemoSummaryTests
{
    private static FrontendReply Reply(string frontend, string posts, string postsVersion = "v1") =>
        new("frontend", "v1", frontend,
        [
            new FrontendCall("users", true, 200, new ServiceReply("users", "v1", "users-1"), null),
            new FrontendCall("posts", true, 200, new ServiceReply("posts", postsVersion, posts), null),
            new FrontendCall("comments", true, 200, new ServiceReply("comments", "v1", "comments-1"), null),
        ]);

    private static DemoSummary PassingSummary()
    {
        var recorder = new DemoRecorder();
        recorder.Record(DemoOutcome.FromReply(TimeSpan.FromMilliseconds(4), Reply("frontend-a", "posts-v1-a")));
        recorder.Record(DemoOutcome.FromReply(TimeSpan.FromMilliseconds(2), Reply("frontend-b", "posts-v2-a", "v2")));
        recorder.Record(DemoOutcome.FromReply(TimeSpan.FromMilliseconds(3), Reply("frontend-a", "posts-v1-a")));
        recorder.Record(DemoOutcome.FromReply(TimeSpan.FromMilliseconds(10), Reply("frontend-b", "posts-v1-b")));
        return recorder.Summarize(9, TimeSpan.FromSeconds(4.2), TimeSpan.FromSeconds(2), ["frontend", "users", "posts", "comments"]);
    }

    [Fact]
    public void Summarizes_CountsPercentilesAndReplicasPerService()
    {
        var summary = PassingSummary();

        Assert.Equal(4, summary.Requests);
        Assert.Equal(1.0, summary.SuccessRate);
        Assert.Equal(3, summary.LatencyP50Ms);
        Assert.Equal(10, summary.LatencyP99Ms);
        Assert.Equal(["comments", "frontend", "posts", "users"], summary.Services.Select(s => s.Service));
        var posts = summary.Services.Single(s => s.Service == "posts");
        Assert.Equal(
            [new ReplicaAnswers("posts-v1-a", "v1", 2), new ReplicaAnswers("posts-v1-b", "v1", 1), new ReplicaAnswers("posts-v2-a", "v2", 1)],
            posts.Replicas.ToArray());
        Assert.Equal([new VersionShare("v1", 3, 0.75), new VersionShare("v2", 1, 0.25)], posts.Versions.ToArray());
        Assert.Empty(summary.SilentServices);
        Assert.True(summary.Passed);
    }

    [Fact]
    public void Formats_TextSummary()
    {
        var expected = """
            Pods ready      9 pods in 4.2 s
            Requests        4 in 2.0 s (2.0/s)
            Success rate    100.00 % (4 ok, 0 failed)
            Latency         p50 3.00 ms, p99 10.00 ms
            mTLS            0/9 pods' sidecars hold a mesh certificate (off)

            SERVICE   REPLICA     VERSION  ANSWERS
            comments  comments-1  v1             4
            frontend  frontend-a  v1             2
                      frontend-b  v1             2
            posts     posts-v1-a  v1             2
                      posts-v1-b  v1             1
                      posts-v2-a  v2             1
            users     users-1     v1             4

            Version split   posts: v1 75.0 %, v2 25.0 %

            PASS: every service answered, success rate at least 99 %

            """;

        Assert.Equal(expected, DemoSummaryFormatter.ToText(PassingSummary()));
    }

    [Fact]
    public void Formats_JsonWithTheSameFields()
    {
        var expected = """
            {
              "pods": 1,
              "readySeconds": 1.5,
              "durationSeconds": 3,
              "requests": 2,
              "succeeded": 1,
              "successRate": 0.5,
              "latencyP50Ms": 1,
              "latencyP99Ms": 2,
              "services": [
                {
                  "service": "frontend",
                  "replicas": [
                    {
                      "pod": "frontend-a",
                      "version": "v1",
                      "answers": 1
                    }
                  ],
                  "versions": [
                    {
                      "version": "v1",
                      "answers": 1,
                      "share": 1
                    }
                  ]
                }
              ],
              "silentServices": [
                "posts"
              ],
              "failures": [
                {
                  "reason": "frontend.blog: 503 no-healthy-endpoints",
                  "count": 1
                }
              ],
              "certifiedSidecars": 0,
              "passed": false
            }
            """;
        var recorder = new DemoRecorder();
        recorder.Record(DemoOutcome.FromReply(TimeSpan.FromMilliseconds(1), new FrontendReply("frontend", "v1", "frontend-a", [])));
        recorder.Record(DemoOutcome.Failed(TimeSpan.FromMilliseconds(2), "frontend.blog: 503 no-healthy-endpoints"));

        var summary = recorder.Summarize(1, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3), ["frontend", "posts"]);

        Assert.Equal(expected, DemoSummaryFormatter.ToJson(summary));
    }

    [Fact]
    public void Fails_WhenAServiceNeverAnswered_AndSaysWhich()
    {
        var recorder = new DemoRecorder();
        recorder.Record(DemoOutcome.FromReply(TimeSpan.FromMilliseconds(1), Reply("frontend-a", "posts-1")));

        var summary = recorder.Summarize(1, TimeSpan.Zero, TimeSpan.FromSeconds(1), ["frontend", "users", "posts", "comments", "search"]);

        Assert.False(summary.Passed);
        Assert.Equal(["search"], summary.SilentServices.ToArray());
        var text = DemoSummaryFormatter.ToText(summary);
        Assert.Contains("search    (never answered)  -              0\n", text, StringComparison.Ordinal);
        Assert.EndsWith("FAIL: never answered: search\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(99, 1, true)]
    [InlineData(98, 2, false)]
    [InlineData(0, 0, false)]
    public void Passes_OnlyAtNinetyNinePercentOrBetter(int ok, int failed, bool passed)
    {
        var recorder = new DemoRecorder();
        for (var i = 0; i < ok; i++)
        {
            recorder.Record(DemoOutcome.FromReply(TimeSpan.FromMilliseconds(1), Reply("frontend-a", "posts-1")));
        }

        for (var i = 0; i < failed; i++)
        {
            recorder.Record(DemoOutcome.Failed(TimeSpan.FromMilliseconds(1), "boom"));
        }

        Assert.Equal(passed, recorder.Summarize(1, TimeSpan.Zero, TimeSpan.FromSeconds(1), ["frontend"]).Passed);
    }

    [Fact]
    public void Lists_FailuresMostFrequentFirst()
    {
        var recorder = new DemoRecorder();
        recorder.Record(DemoOutcome.Failed(TimeSpan.FromMilliseconds(1), "b"));
        recorder.Record(DemoOutcome.Failed(TimeSpan.FromMilliseconds(1), "a"));
        recorder.Record(DemoOutcome.Failed(TimeSpan.FromMilliseconds(1), "a"));

        var summary = recorder.Summarize(1, TimeSpan.Zero, TimeSpan.FromSeconds(1), []);

        Assert.Equal([new FailureCount("a", 2), new FailureCount("b", 1)], summary.Failures.ToArray());
        Assert.Contains("FAILURES\n      2  a\n      1  b\n", DemoSummaryFormatter.ToText(summary), StringComparison.Ordinal);
        Assert.EndsWith("FAIL: success rate 0.00 % is below 99 %\n", DemoSummaryFormatter.ToText(summary), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new double[] { 5 }, 0.5, 5)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.5, 2)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.99, 4)]
    [InlineData(new double[] { }, 0.99, 0)]
    public void Computes_NearestRankPercentile(double[] sorted, double quantile, double expected)
    {
        Assert.Equal(expected, DemoRecorder.PercentileOfSorted(sorted, quantile));
    }
}

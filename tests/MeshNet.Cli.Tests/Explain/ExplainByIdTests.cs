using System.Text.Json.Nodes;
using MeshNet.Cli.Commands;
using MeshNet.Cli.Tests.ProxyStatus;
using MeshNet.Cli.Tests.Testing;

namespace MeshNet.Cli.Tests.Explain;

/// <summary>
/// `meshctl explain --id` against a real HTTP listener serving a recorded /debug/explain?id= answer: the text is a
/// golden file, JSON round-trips, an id nobody remembers exits 1 with the control plane's message.
/// </summary>
public sealed class ExplainByIdTests : IDisposable
{
    private const string Id = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string Unknown = "no sidecar remembers a failed request with id 'nope' (3 of 3 sidecars answered); each sidecar keeps only its last 1000 failures, and only failures (5xx, no response, or x-meshnet-error)";

    private readonly AdminServer _server = new(new()
    {
        [$"/debug/explain?id={Id}"] = (200, File.ReadAllText(CliGolden.TestData("Explain", "debug-explain-id.json"))),
        ["/debug/explain?id=nope"] = (404, $$"""{"error":"{{Unknown}}"}"""),
    });

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task PrintsWhatTheSidecarsSaw_ThenTheVerdictsSteps()
    {
        var (code, stdout, stderr) = await RunAsync(Id, json: false);

        Assert.Equal(string.Empty, stderr);
        Assert.Equal(ExitCodes.Ok, code);
        CliGolden.Assert("Explain", "explain-id.txt", stdout);
    }

    [Fact]
    public async Task Json_KeepsTheRecordedRequestsAndTheSilentSidecars()
    {
        var (code, stdout, _) = await RunAsync(Id, json: true);

        Assert.Equal(ExitCodes.Ok, code);
        var expected = JsonNode.Parse(File.ReadAllText(CliGolden.TestData("Explain", "debug-explain-id.json")))!;
        var actual = JsonNode.Parse(stdout)!;
        Assert.Equal(expected["summary"]!.GetValue<string>(), actual["summary"]!.GetValue<string>());
        Assert.Equal(2, actual["requests"]!.AsArray().Count);
        Assert.Equal("inbound", actual["requests"]![1]!["direction"]!.GetValue<string>());
        Assert.Equal("spiffe://cluster.local/ns/blog/sa/comments", actual["requests"]![1]!["peer"]!.GetValue<string>());
        Assert.Equal("blog/users-0", actual["unanswered"]![0]!["sidecar"]!.GetValue<string>());
        Assert.Equal(9, actual["steps"]!.AsArray().Count);
    }

    [Fact]
    public async Task UnknownId_Exits1_WithTheControlPlanesMessage()
    {
        var (code, stdout, stderr) = await RunAsync("nope", json: false);

        Assert.Equal(ExplainCommand.ExitNotFound, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"meshctl explain: {Unknown}\n", stderr);
    }

    [Fact]
    public async Task NoControlPlane_Exits2()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };

        var code = await new ExplainCommand(http, new Uri("http://127.0.0.1:1/"), stdout, stderr)
            .RunAsync(new ExplainQuery(null, null, null, null, "GET", Id), json: false, CancellationToken.None);

        Assert.Equal(ExitCodes.CouldNotRun, code);
        Assert.StartsWith("meshctl explain: cannot read /debug/explain from the control plane at http://127.0.0.1:1/", stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("explain", "--id", "abc", "--error", "overloaded", "--service", "posts.blog")]
    [InlineData("explain", "--id", "abc", "--source", "blog/frontend-0", "--url", "http://posts.blog/")]
    [InlineData("explain", "--id", " ")]
    public async Task IdWithAnotherForm_IsAUsageError_Exit2(params string[] arguments)
    {
        var (exitCode, _, stderr) = await MeshctlRun.RunAsync(TimeSpan.FromMinutes(2), arguments);

        Assert.True(exitCode == 2, $"meshctl {string.Join(' ', arguments)} exited {exitCode}\n{stderr}");
        Assert.Contains("--id", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealMeshctl_ExitsByOutcome_0WhenExplained_1WhenUnknown()
    {
        var found = await MeshctlRun.RunAsync(TimeSpan.FromMinutes(2), "explain", "--id", Id, "--control-plane", _server.Url.ToString());
        var unknown = await MeshctlRun.RunAsync(TimeSpan.FromMinutes(2), "explain", "--id", "nope", "--control-plane", _server.Url.ToString());

        Assert.True(found.ExitCode == 0, found.Stderr);
        Assert.StartsWith("403 authz-denied: AuthorizationPolicy blog/posts-deny-comments", found.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("keeps only its last 1000 failures", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_SaysTheIdIsARequestIdOrATraceId()
    {
        using var shutdown = new MeshNet.Cli.Local.ShutdownSignal();
        var help = DiagnoseCommands.Explain(shutdown).Options.Single(o => o.Name == "--id").Description;

        Assert.Contains("x-request-id", help, StringComparison.Ordinal);
        Assert.Contains("trace id", help, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string id, bool json)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await new ExplainCommand(http, _server.Url, stdout, stderr)
            .RunAsync(new ExplainQuery(null, null, null, null, "GET", id), json, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

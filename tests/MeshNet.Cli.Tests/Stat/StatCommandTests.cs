using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using MeshNet.Cli.Commands;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.Cli.Tests.Stat;

/// <summary>
/// `meshctl stat` against a real HTTP listener serving a recorded /debug/stat; tables are golden files under
/// Stat/testdata (MESHNET_UPDATE_GOLDEN=1 rewrites them; review the diff).
/// </summary>
public sealed class StatCommandTests : IDisposable
{
    private readonly StatServer _server = new(File.ReadAllText(TestData("debug-stat.json")));

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Prints_ATableOfGoldenMetrics_OncePerService()
    {
        _server.Body = Only(_server.Body, "blog");

        var (code, stdout, stderr) = await RunAsync(new StatRequest("blog", null, "30s", false), StatRefresh.Once);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stderr);
        AssertGolden("stat.txt", stdout);
        Assert.Equal("/debug/stat?window=30s&namespace=blog", await _server.Requests.ReadAsync());
    }

    [Fact]
    public async Task Prints_TheNamespaceColumn_ForAllNamespaces()
    {
        var (code, stdout, _) = await RunAsync(new StatRequest(null, null, "1m", false), StatRefresh.Once);

        Assert.Equal(ExitCodes.Ok, code);
        AssertGolden("stat-all.txt", stdout);
        Assert.Equal("/debug/stat?window=1m", await _server.Requests.ReadAsync());
    }

    [Fact]
    public async Task Prints_TheControlPlanesRows_AsJson()
    {
        var (code, stdout, _) = await RunAsync(new StatRequest("blog", "posts", "30s", true), StatRefresh.Once);

        Assert.Equal(ExitCodes.Ok, code);
        var rows = JsonNode.Parse(stdout)!.AsArray();
        Assert.Equal(5, rows.Count);
        Assert.Equal(0.9, (double)rows[2]!["successRate"]!);
        Assert.Equal(9.95, (double)rows[2]!["latencyMs"]!["p99"]!);
        Assert.Null(rows[3]!["successRate"]);
        Assert.Equal("/debug/stat?window=30s&namespace=blog&service=posts", await _server.Requests.ReadAsync());
    }

    [Fact]
    public async Task Redraws_InPlace_EveryTwoSeconds_UntilCancelled()
    {
        var timers = Channel.CreateUnbounded<TimeSpan>();
        var time = new TimerReportingTimeProvider(timers.Writer);
        using var stop = new CancellationTokenSource();
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        using var http = Client();
        var running = new StatCommand(http, _server.Url, stdout, stderr, time)
            .RunAsync(new StatRequest("blog", null, "30s", false), StatRefresh.InPlace, stop.Token);

        await _server.Requests.ReadAsync();
        Assert.Equal(StatCommand.RefreshInterval, await timers.Reader.ReadAsync());
        time.Advance(StatCommand.RefreshInterval);
        await _server.Requests.ReadAsync();
        Assert.Equal(StatCommand.RefreshInterval, await timers.Reader.ReadAsync());
        await stop.CancelAsync();

        Assert.Equal(ExitCodes.Ok, await running);
        var frames = stdout.ToString().Split("\u001b[H\u001b[2J", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, frames.Length);
        Assert.All(frames, f => Assert.StartsWith("NAME ", f, StringComparison.Ordinal));
        Assert.All(frames, f => Assert.EndsWith("(window 30s, refreshing every 2 s; Ctrl-C to stop)\n", f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Says_NoResourcesFound_ForAnEmptyNamespace()
    {
        _server.Body = "[]";

        var (code, stdout, stderr) = await RunAsync(new StatRequest("nothing-here", null, "30s", false), StatRefresh.Once);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("No resources found in nothing-here namespace.\n", stderr);
    }

    [Fact]
    public async Task Relays_TheControlPlanesRefusal()
    {
        _server.Status = 400;
        _server.Body = "window: expected a duration with a unit (ms, s, m) above 0 and at most 15m, got \"1h\"";

        var (code, stdout, stderr) = await RunAsync(new StatRequest("blog", null, "1h", false), StatRefresh.InPlace);

        Assert.Equal(ExitCodes.CouldNotRun, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith($"meshctl stat: the control plane at {_server.Url} refused: window: expected a duration", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_WithAHint_WhenNoControlPlaneAnswers()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = new Uri($"http://{socket.LocalEndPoint}");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var http = Client();

        var code = await new StatCommand(http, closed, stdout, stderr, TimeProvider.System)
            .RunAsync(new StatRequest("blog", null, "30s", false), StatRefresh.InPlace, CancellationToken.None);

        Assert.Equal(ExitCodes.CouldNotRun, code);
        Assert.StartsWith($"meshctl stat: cannot read stats from the control plane at {closed}", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("MESHNET_CONTROL_PLANE", stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("svc/posts", "posts")]
    [InlineData("service/posts", "posts")]
    [InlineData("services/posts", "posts")]
    [InlineData("deploy/posts", null)]
    [InlineData("posts", null)]
    [InlineData("svc/", null)]
    [InlineData("svc/a/b", null)]
    public void Reads_TheServiceName_FromSvcSlashName(string resource, string? expected)
    {
        Assert.Equal(expected, StatCommand.ServiceName(resource));
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(StatRequest request, StatRefresh refresh)
    {
        using var http = Client();
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await new StatCommand(http, _server.Url, stdout, stderr, TimeProvider.System).RunAsync(request, refresh, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static HttpClient Client() => new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private static string Only(string json, string ns) =>
        new JsonArray([.. JsonNode.Parse(json)!.AsArray().Where(r => (string?)r!["namespace"] == ns).Select(r => r!.DeepClone())]).ToJsonString();

    private static string TestData(string name) => Path.Combine(TestPaths.RepositoryRoot, "tests", "MeshNet.Cli.Tests", "Stat", "testdata", name);

    private static void AssertGolden(string name, string actual)
    {
        var path = TestData(name);
        if (Environment.GetEnvironmentVariable("MESHNET_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.Equal(File.ReadAllText(path), actual);
    }

    /// <summary>Reports every timer the command creates, so the test moves the clock only once the command waits.</summary>
    private sealed class TimerReportingTimeProvider(ChannelWriter<TimeSpan> timers) : FakeTimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            timers.TryWrite(dueTime);
            return timer;
        }
    }
}

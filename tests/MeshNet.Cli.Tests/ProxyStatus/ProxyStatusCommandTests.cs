using System.Text.Json.Nodes;
using MeshNet.Cli.Commands;

namespace MeshNet.Cli.Tests.ProxyStatus;

/// <summary>`meshctl proxy-status` against a real HTTP listener serving a recorded /debug/proxies; tables are golden files.</summary>
public sealed class ProxyStatusCommandTests : IDisposable
{
    private readonly AdminServer _server = new(new()
    {
        ["/debug/proxies"] = (200, File.ReadAllText(CliGolden.TestData("ProxyStatus", "debug-proxies.json"))),
    });

    [Fact]
    public async Task Prints_EverySidecar_WithSyncStatus_AndTimeSinceAck()
    {
        var (code, stdout, stderr) = await RunAsync(_server.Url, null, color: false);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stderr);
        Assert.DoesNotContain("\u001b[", stdout, StringComparison.Ordinal);
        CliGolden.Assert("ProxyStatus", "proxy-status.txt", stdout);
    }

    [Fact]
    public async Task Colours_TheStatusColumn_OnlyWhenAskedTo()
    {
        var (_, stdout, _) = await RunAsync(_server.Url, null, color: true);

        Assert.Contains("\u001b[32mSYNCED\u001b[0m", stdout, StringComparison.Ordinal);
        Assert.Contains("\u001b[31mNACKED\u001b[0m", stdout, StringComparison.Ordinal);
        Assert.Contains("\u001b[33mSTALE\u001b[0m", stdout, StringComparison.Ordinal);
        var plain = System.Text.RegularExpressions.Regex.Replace(stdout, "\u001b\\[[0-9;]*m", string.Empty);
        Assert.Equal((await RunAsync(_server.Url, null, color: false)).Stdout, plain);
    }

    [Fact]
    public async Task Json_RoundTrips_TheControlPlanesEntries()
    {
        var (code, stdout, _) = await RunAsync(_server.Url, "json", color: false);

        Assert.Equal(ExitCodes.Ok, code);
        var expected = JsonNode.Parse(File.ReadAllText(CliGolden.TestData("ProxyStatus", "debug-proxies.json")));
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(stdout)));
    }

    [Fact]
    public async Task Fails_WithAHint_WhenNoControlPlaneAnswers()
    {
        var closed = new Uri("http://127.0.0.1:1/");

        var (code, stdout, stderr) = await RunAsync(closed, null, color: false);

        Assert.Equal(ExitCodes.CouldNotRun, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("meshctl proxy-status: cannot read /debug/proxies from the control plane at http://127.0.0.1:1/", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(7, "7s")]
    [InlineData(185, "3m")]
    [InlineData(7300, "2h")]
    public void Writes_AgesLikeKubectl(long seconds, string expected) => Assert.Equal(expected, ProxyStatusCommand.Age(seconds));

    public void Dispose() => _server.Dispose();

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(Uri controlPlane, string? format, bool color)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await new ProxyStatusCommand(new AdminReader(http, controlPlane, stderr), stdout, stderr, color).RunAsync(format, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

using System.Text.Json.Nodes;
using MeshNet.Cli.Commands;
using MeshNet.Cli.Tests.ProxyStatus;

namespace MeshNet.Cli.Tests.Get;

/// <summary>`meshctl get workloads` against a real HTTP listener serving a recorded /debug/workloads; tables are golden.</summary>
public sealed class GetWorkloadsTests : IDisposable
{
    private static readonly string Workloads = File.ReadAllText(CliGolden.TestData("Get", "debug-workloads.json"));
    private readonly AdminServer _server = new(new() { ["/debug/workloads"] = (200, Workloads) });

    [Theory]
    [InlineData("get-workloads.txt", false, null)]
    [InlineData("get-workloads-all-wide.txt", true, "wide")]
    public async Task Prints_KubectlStyleTable(string golden, bool all, string? format)
    {
        var (code, stdout, stderr) = await RunAsync("blog", all, format);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stderr);
        CliGolden.Assert("Get", golden, stdout);
    }

    [Fact]
    public async Task Json_KeepsTheControlPlanesEntries_OfTheNamespace()
    {
        var (_, json, _) = await RunAsync("shop", false, "json");

        var expected = new JsonArray(JsonNode.Parse(Workloads)!.AsArray().Where(w => (string?)w!["namespace"] == "shop").Select(w => w!.DeepClone()).ToArray());
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(json)));
    }

    [Fact]
    public async Task Says_NoResourcesFound_ForAnEmptyNamespace()
    {
        var (code, stdout, stderr) = await RunAsync("nothing-here", false, null);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("No resources found in nothing-here namespace.\n", stderr);
    }

    public void Dispose() => _server.Dispose();

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string ns, bool all, string? format)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await new GetWorkloadsCommand(new AdminReader(http, _server.Url, stderr), stdout, stderr).RunAsync(ns, all, format, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

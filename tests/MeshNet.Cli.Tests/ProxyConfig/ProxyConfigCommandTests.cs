using System.Text.Json.Nodes;
using MeshNet.Cli.Commands;
using MeshNet.Cli.Tests.ProxyStatus;

namespace MeshNet.Cli.Tests.ProxyConfig;

/// <summary>`meshctl proxy-config` against a real HTTP listener serving a recorded sidecar config; tables are golden files.</summary>
public sealed class ProxyConfigCommandTests : IDisposable
{
    private const string Base = "/debug/proxies/blog/posts-v1-0/config?section=";
    private static readonly string Config = File.ReadAllText(CliGolden.TestData("ProxyConfig", "config-all.json"));
    private readonly AdminServer _server = new(new()
    {
        [Base + "all"] = (200, Config),
        [Base + "routes"] = (200, Config),
        [Base + "clusters"] = (200, Config),
        [Base + "endpoints"] = (200, Config),
        [Base + "dns"] = (200, Config),
        [Base + "certs"] = (200, File.ReadAllText(CliGolden.TestData("ProxyConfig", "certs.json"))),
    });

    [Theory]
    [InlineData("routes")]
    [InlineData("clusters")]
    [InlineData("endpoints")]
    [InlineData("dns")]
    [InlineData("certs")]
    [InlineData(null)]
    public async Task Prints_TheSection_AsATable(string? section)
    {
        var (code, stdout, stderr) = await RunAsync("posts-v1-0", "blog", section, null);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stderr);
        CliGolden.Assert("ProxyConfig", $"proxy-config-{section ?? "all"}.txt", stdout);
    }

    [Fact]
    public async Task Takes_TheNamespace_FromADottedWorkloadName()
    {
        var (code, stdout, _) = await RunAsync("posts-v1-0.blog", "default", "clusters", null);

        Assert.Equal(ExitCodes.Ok, code);
        CliGolden.Assert("ProxyConfig", "proxy-config-clusters.txt", stdout);
    }

    [Fact]
    public async Task Json_RoundTrips_TheSidecarsConfig()
    {
        var (code, stdout, _) = await RunAsync("posts-v1-0", "blog", "clusters", "json");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Config), JsonNode.Parse(stdout)));
    }

    [Fact]
    public async Task Says_WhyTheControlPlaneRefused()
    {
        var (code, stdout, stderr) = await RunAsync("nobody", "blog", "routes", null);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("meshctl proxy-config: no sidecar blog/nobody is connected\n", stderr);
    }

    [Theory]
    [InlineData("posts-0", "blog", "posts-0", "blog")]
    [InlineData("posts-0.shop", "blog", "posts-0", "shop")]
    [InlineData("posts-0.", "blog", "posts-0.", "blog")]
    public void Splits_NameAndNamespace(string workload, string ns, string name, string expectedNs) =>
        Assert.Equal((name, expectedNs), ProxyConfigCommand.Split(workload, ns));

    public void Dispose() => _server.Dispose();

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string workload, string ns, string? section, string? format)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await new ProxyConfigCommand(new AdminReader(http, _server.Url, stderr), stdout, color: false)
            .RunAsync(workload, ns, section, format, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

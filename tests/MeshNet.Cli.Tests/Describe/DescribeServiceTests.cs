using MeshNet.Cli.Commands;
using MeshNet.Cli.Tests.ProxyStatus;

namespace MeshNet.Cli.Tests.Describe;

/// <summary>`meshctl describe svc` against a real HTTP listener serving recorded /debug/services/{ns}/{name}; output is golden.</summary>
public sealed class DescribeServiceTests : IDisposable
{
    private readonly AdminServer _server = new(new()
    {
        ["/debug/services/blog/posts"] = (200, File.ReadAllText(CliGolden.TestData("Describe", "debug-service-posts.json"))),
        ["/debug/services/blog/users"] = (200, File.ReadAllText(CliGolden.TestData("Describe", "debug-service-users.json"))),
        ["/debug/services/blog/nope"] = (404, """{"error":"services \"nope\" not found in namespace blog"}"""),
    });

    [Theory]
    [InlineData("posts", "describe-svc-posts.txt")]
    [InlineData("users", "describe-svc-users.txt")]
    public async Task Prints_KubectlDescribeStyleSections(string name, string golden)
    {
        var (code, stdout, stderr) = await RunAsync(name, "blog");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stderr);
        CliGolden.Assert("Describe", golden, stdout);
    }

    [Fact]
    public async Task Fails_WithTheControlPlanesMessage_ForAnUnknownService()
    {
        var (code, stdout, stderr) = await RunAsync("nope", "blog");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("meshctl describe svc: services \"nope\" not found in namespace blog\n", stderr);
    }

    public void Dispose() => _server.Dispose();

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string name, string ns)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await new DescribeServiceCommand(new AdminReader(http, _server.Url, stderr), stdout).RunAsync(name, ns, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

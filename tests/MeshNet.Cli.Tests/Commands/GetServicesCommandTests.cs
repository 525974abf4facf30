using System.Net;
using System.Net.Sockets;
using MeshNet.Cli.Commands;
using MeshNet.Cli.Tests.Testing;

namespace MeshNet.Cli.Tests.Commands;

/// <summary>
/// `meshctl get svc` against a real HTTP listener serving a recorded /debug/services; the tables are golden files
/// under Commands/testdata (MESHNET_UPDATE_GOLDEN=1 rewrites them; review the diff).
/// </summary>
public sealed class GetServicesCommandTests : IDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly Uri _controlPlane;

    public GetServicesCommandTests()
    {
        var services = File.ReadAllText(TestData("debug-services.json"));
        _server = new LoopbackHttpServer(url => url.AbsolutePath == "/debug/services" ? (200, "application/json", services) : (404, "application/json", "{}"));
        _controlPlane = _server.Url;
    }

    [Theory]
    [InlineData("get-svc.txt", "blog", false, null)]
    [InlineData("get-svc-all.txt", "default", true, null)]
    [InlineData("get-svc-wide.txt", "blog", false, "wide")]
    [InlineData("get-svc-json.txt", "shop", false, "json")]
    public async Task Prints_KubectlStyleTable(string golden, string ns, bool all, string? format)
    {
        var (code, stdout, stderr) = await RunAsync(_controlPlane, ns, all, format);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stderr);
        AssertGolden(golden, stdout);
    }

    [Fact]
    public async Task Says_NoResourcesFound_ForAnEmptyNamespace()
    {
        var (code, stdout, stderr) = await RunAsync(_controlPlane, "nothing-here", false, null);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("No resources found in nothing-here namespace.\n", stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Fails_WithAHint_WhenNoControlPlaneAnswers()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = new Uri($"http://{socket.LocalEndPoint}");

        var (code, stdout, stderr) = await RunAsync(closed, "blog", false, null);

        Assert.Equal(ExitCodes.CouldNotRun, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith($"meshctl get svc: cannot read services from the control plane at {closed}", stderr, StringComparison.Ordinal);
        Assert.Contains("MESHNET_CONTROL_PLANE", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _server.Dispose();

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(Uri controlPlane, string ns, bool all, string? format)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await new GetServicesCommand(http, controlPlane, stdout, stderr).RunAsync(ns, all, format, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string TestData(string name) => Path.Combine(TestPaths.RepositoryRoot, "tests", "MeshNet.Cli.Tests", "Commands", "testdata", name);

    private static void AssertGolden(string name, string actual)
    {
        var path = TestData(name);
        if (Environment.GetEnvironmentVariable("MESHNET_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.Equal(File.ReadAllText(path), actual);
    }
}

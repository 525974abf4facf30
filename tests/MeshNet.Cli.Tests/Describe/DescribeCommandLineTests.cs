using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Describe;

/// <summary>The command tree accepts `describe svc` and `get workloads|wl`, and checks --control-plane as get does.</summary>
public sealed class DescribeCommandLineTests
{
    [Theory]
    [InlineData("describe svc posts -n blog --control-plane http://127.0.0.1:15014")]
    [InlineData("describe service posts")]
    [InlineData("get workloads -A -o wide")]
    [InlineData("get wl -n blog -o json --control-plane http://127.0.0.1:15014")]
    public void Parses_TheNewCommands(string line)
    {
        using var shutdown = new ShutdownSignal();
        var parse = MeshNet.Cli.Commands.CommandLine.Build(shutdown).Parse(line);

        Assert.Empty(parse.Errors);
    }

    [Theory]
    [InlineData("describe svc posts --control-plane nope")]
    [InlineData("describe svc")]
    [InlineData("get wl -o table")]
    public void Rejects_BadArguments(string line)
    {
        using var shutdown = new ShutdownSignal();
        var parse = MeshNet.Cli.Commands.CommandLine.Build(shutdown).Parse(line);

        Assert.NotEmpty(parse.Errors);
    }
}

using MeshNet.Cli.Tests.Testing;

namespace MeshNet.Cli.Tests.Commands;

/// <summary>
/// The real meshctl's exit codes: 0 done, 1 the answer is a failure (analyze found errors), 2 could not run (a usage
/// error, nothing listening) — so CI gating on analyze can tell a finding from a typo in its own flags.
/// </summary>
public sealed class ExitCodeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("analyze")]
    [InlineData("analyze", "--no-such-flag", "x")]
    [InlineData("get", "svc", "-o", "toml")]
    [InlineData("explain", "--error", "overloaded")]
    [InlineData("stat", "--window", "soon")]
    public async Task UsageErrors_Exit2_AndSayWhatIsWrong(params string[] arguments)
    {
        var (exitCode, _, stderr) = await MeshctlRun.RunAsync(Deadline, arguments);

        Assert.True(exitCode == 2, $"meshctl {string.Join(' ', arguments)} exited {exitCode}\n{stderr}");
        Assert.False(string.IsNullOrWhiteSpace(stderr));
    }

    [Theory]
    [InlineData("duplicate-cluster-ip", 1)]
    [InlineData("clean", 0)]
    public async Task Analyze_Exits1_OnlyForFindings(string testCase, int expected)
    {
        var directory = Path.Combine(TestPaths.RepositoryRoot, "tests", "MeshNet.Cli.Tests", "testdata", "analyze", testCase);

        var (exitCode, stdout, stderr) = await MeshctlRun.RunAsync(Deadline, "analyze", directory);

        Assert.True(exitCode == expected, $"meshctl analyze {testCase} exited {exitCode}\n{stdout}\n{stderr}");
    }

    [Fact]
    public async Task ReadCommands_Exit2_WhenNoControlPlaneAnswers()
    {
        var (exitCode, _, stderr) = await MeshctlRun.RunAsync(Deadline, "get", "workloads", "--control-plane", "http://127.0.0.1:9");

        Assert.True(exitCode == 2, $"exited {exitCode}\n{stderr}");
        Assert.Contains("cannot read /debug/workloads", stderr, StringComparison.Ordinal);
    }
}

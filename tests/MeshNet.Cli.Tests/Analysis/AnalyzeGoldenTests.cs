using System.Text.Json;
using MeshNet.Cli.Commands;

namespace MeshNet.Cli.Tests.Analysis;

/// <summary>
/// `meshctl analyze DIR` over testdata/analyze/&lt;case&gt;/ (one broken directory per finding); each directory's
/// expected.txt is the golden output (MESHNET_UPDATE_GOLDEN=1 rewrites them; review the diff).
/// </summary>
public sealed class AnalyzeGoldenTests
{
    private static readonly string Root = Path.Combine(TestPaths.RepositoryRoot, "tests", "MeshNet.Cli.Tests", "testdata", "analyze");

    [Theory]
    [InlineData("selector-mismatch", ExitCodes.Failed)]
    [InlineData("named-target-port", ExitCodes.Failed)]
    [InlineData("nodeport-collision", ExitCodes.Failed)]
    [InlineData("duplicate-cluster-ip", ExitCodes.Failed)]
    [InlineData("exposure", ExitCodes.Ok)]
    [InlineData("policy-target-missing", ExitCodes.Failed)]
    [InlineData("route-weights-zero", ExitCodes.Failed)]
    [InlineData("subset-no-endpoint", ExitCodes.Failed)]
    [InlineData("authorization-unreachable", ExitCodes.Failed)]
    [InlineData("manifest-error", ExitCodes.Failed)]
    [InlineData("nodeport-out-of-range", ExitCodes.Failed)]
    [InlineData("route-backend-missing", ExitCodes.Failed)]
    [InlineData("authorization-target-missing", ExitCodes.Ok)]
    [InlineData("selectorless-not-ready", ExitCodes.Ok)]
    [InlineData("clean", ExitCodes.Ok)]
    public async Task PrintsTheGoldenReport_AndExitsByWorstSeverity(string name, int exitCode)
    {
        var (code, stdout, stderr) = await RunAsync(Path.Combine(Root, name, "manifests.yaml"), json: false);

        Assert.Equal(string.Empty, stderr);
        AssertGolden(Path.Combine(Root, name, "expected.txt"), stdout);
        Assert.Equal(exitCode, code);
    }

    [Fact]
    public void EveryTestDirectory_HasAGoldenCase()
    {
        var directories = new DirectoryInfo(Root).GetDirectories().Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
        var cases = typeof(AnalyzeGoldenTests).GetMethod(nameof(PrintsTheGoldenReport_AndExitsByWorstSeverity))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).First()[0]).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(directories, cases);
    }

    [Fact]
    public async Task PrintsJson_WithLowerCaseSeverity()
    {
        var (code, stdout, _) = await RunAsync(Path.Combine(Root, "selector-mismatch"), json: true);

        Assert.Equal(ExitCodes.Failed, code);
        using var document = JsonDocument.Parse(stdout);
        var finding = Assert.Single(document.RootElement.EnumerateArray());
        Assert.Equal("MN1101", finding.GetProperty("code").GetString());
        Assert.Equal("error", finding.GetProperty("severity").GetString());
        Assert.Equal("Service blog/posts", finding.GetProperty("resource").GetString());
        Assert.Equal("spec.selector", finding.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(finding.GetProperty("fix").GetString()));
    }

    [Fact]
    public async Task FindsNothingBlocking_InTheBlogSample()
    {
        var (code, stdout, _) = await RunAsync(TestPaths.BlogSample, json: false);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.DoesNotContain("ERROR", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CannotRun_OnAMissingDirectory()
    {
        var (code, stdout, stderr) = await RunAsync(Path.Combine(Root, "does-not-exist"), json: false);

        Assert.Equal(ExitCodes.CouldNotRun, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("meshctl analyze: ", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string path, bool json)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await new AnalyzeCommand(stdout, stderr).RunOfflineAsync(path, json);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void AssertGolden(string path, string actual)
    {
        if (Environment.GetEnvironmentVariable("MESHNET_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }
}

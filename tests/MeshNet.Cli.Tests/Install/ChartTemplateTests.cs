using System.Text.RegularExpressions;
using MeshNet.Cli.Install;

namespace MeshNet.Cli.Tests.Install;

/// <summary>
/// What can be checked of the chart's Go templates without helm: they use exactly meshctl install's values, every
/// value is used, and their blocks are closed. (HelmTemplateTests compares the rendered output where helm exists.)
/// </summary>
public sealed partial class ChartTemplateTests
{
    private static readonly string Templates = Path.Combine(TestPaths.RepositoryRoot, "charts", "meshnet", "templates");

    [Fact]
    public void Templates_ReferenceOnlyValuesMeshctlKnows_AndEveryOne()
    {
        var referenced = Directory.EnumerateFiles(Templates)
            .SelectMany(f => ValuesReference().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet();

        Assert.Empty(referenced.Except(InstallValues.KeyNames));
        Assert.Empty(InstallValues.KeyNames.Except(referenced));
    }

    [Theory]
    [InlineData("deployment.yaml")]
    [InlineData("rbac.yaml")]
    [InlineData("mutatingwebhookconfiguration.yaml")]
    [InlineData("certificate.yaml")]
    [InlineData("_helpers.tpl")]
    public void Blocks_AreClosed(string file)
    {
        var text = File.ReadAllText(Path.Combine(Templates, file));

        var opened = BlockStart().Count(text);
        var closed = BlockEnd().Count(text);

        Assert.Equal(opened, closed);
    }

    [Fact]
    public void EveryTemplate_NamesTheReleaseNamespace_ForNamespacedObjects()
    {
        foreach (var file in Directory.EnumerateFiles(Templates, "*.yaml"))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("meshnet-system", text, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\.Values\.([A-Za-z0-9_.]+)")]
    private static partial Regex ValuesReference();

    [GeneratedRegex(@"\{\{-?\s*(if|define|range|with)\b")]
    private static partial Regex BlockStart();

    [GeneratedRegex(@"\{\{-?\s*end\s*-?\}\}")]
    private static partial Regex BlockEnd();
}

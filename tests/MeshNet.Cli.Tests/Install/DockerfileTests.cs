using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MeshNet.Cli.Tests.Install;

/// <summary>
/// What can be checked of the Dockerfiles without a Docker engine (scripts/check-images.sh replays their publish
/// steps): the restore layer copies every project the published one references, the runtime stage is the chiseled
/// image run by a non-root user, and the entry point is the published assembly.
/// </summary>
public sealed class DockerfileTests
{
    [Theory]
    [InlineData("Dockerfile.control", "src/MeshNet.ControlPlane/MeshNet.ControlPlane.csproj")]
    [InlineData("Dockerfile.proxy", "src/MeshNet.Proxy/MeshNet.Proxy.csproj")]
    [InlineData("samples/blog/app/Dockerfile", "samples/blog/app/BlogApp.csproj")]
    public void RestoreLayer_CopiesEveryReferencedProject_BeforeRestoring(string dockerfile, string project)
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, dockerfile));
        var restore = Array.FindIndex(lines, l => l.StartsWith("RUN dotnet restore " + project, StringComparison.Ordinal));
        Assert.True(restore > 0, $"{dockerfile} does not restore {project}");

        var copiedBefore = lines[..restore].Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).SelectMany(l => l.Split(' ')[1..^1]).ToHashSet();
        foreach (var needed in ProjectClosure(project).AsEnumerable().Append("Directory.Packages.props").Append("Directory.Build.props").Append("global.json"))
        {
            Assert.Contains(needed, copiedBefore);
        }
    }

    [Theory]
    [InlineData("Dockerfile.control", "meshnet-control.dll")]
    [InlineData("Dockerfile.proxy", "meshnet-proxy.dll")]
    public void RuntimeStage_IsChiseledNonRoot_AndRunsThePublishedAssembly(string dockerfile, string assembly)
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, dockerfile));
        var last = text[text.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];

        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", last, StringComparison.Ordinal);
        var user = Regex.Match(last, @"^USER (\d+):(\d+)$", RegexOptions.Multiline);
        Assert.True(user.Success && user.Groups[1].Value != "0", $"{dockerfile}: the last stage must run as a numeric non-root USER");
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"/app/{assembly}\"]", last, StringComparison.Ordinal);
        Assert.Contains("-o /app", text, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(text, @"^RUN dotnet (restore|publish) ", RegexOptions.Multiline));
    }

    [Fact]
    public void ProxyImage_HasAnInitTarget_WithIptables()
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "Dockerfile.proxy"));

        Assert.Matches(@"FROM \S+ AS init\n", text);
        Assert.Contains("iptables", text, StringComparison.Ordinal);
        Assert.Contains("CMD [\"init\"]", text, StringComparison.Ordinal);
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    private static SortedSet<string> ProjectClosure(string project)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }

            var directory = Path.GetDirectoryName(current)!;
            foreach (var reference in XDocument.Load(Path.Combine(TestPaths.RepositoryRoot, current)).Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(TestPaths.RepositoryRoot, directory, reference.Attribute("Include")!.Value));
                pending.Push(Path.GetRelativePath(TestPaths.RepositoryRoot, full).Replace('\\', '/'));
            }
        }

        return seen;
    }
}

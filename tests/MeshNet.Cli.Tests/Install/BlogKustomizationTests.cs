using System.Diagnostics;
using MeshNet.Kubernetes.Manifests;

namespace MeshNet.Cli.Tests.Install;

/// <summary>`kubectl apply -k samples/blog` deploys exactly the files universal mode runs.</summary>
public sealed class BlogKustomizationTests
{
    private static readonly string Kustomization = Path.Combine(TestPaths.BlogSample, "Kustomization");

    [Fact]
    public void Kustomization_ListsEveryManifestOfTheSample()
    {
        var listed = Listed();
        var files = Directory.EnumerateFiles(TestPaths.BlogSample, "*.yaml").Select(Path.GetFileName).ToList();

        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.Contains(f!, listed));
        Assert.All(listed, f => Assert.True(File.Exists(Path.Combine(TestPaths.BlogSample, f)), $"{f} is listed but does not exist"));
    }

    private static HashSet<string> Listed() =>
        File.ReadAllLines(Kustomization)
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("- ", StringComparison.Ordinal))
            .Select(l => l[2..])
            .ToHashSet();

    private static int TopLevelKinds(string yaml) => yaml.Split('\n').Count(l => l.StartsWith("kind: ", StringComparison.Ordinal));

    [Fact]
    public void UniversalMode_SeesNeitherTheKustomizationNorTheClusterOnlyFiles()
    {
        var set = ManifestLoader.LoadDirectory(TestPaths.BlogSample);

        Assert.Empty(set.Errors);
    }

    [Fact]
    public async Task Kubectl_BuildsTheKustomization()
    {
        var kubectl = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);
        if (kubectl is null)
        {
            Console.WriteLine("BlogKustomizationTests: kubectl is not installed; the Kustomization's file list is still checked");
            return;
        }

        using var process = Process.Start(new ProcessStartInfo(kubectl, ["kustomize", TestPaths.BlogSample]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var built = await output;

        Assert.True(process.ExitCode == 0, error);
        var expected = Listed().Sum(f => TopLevelKinds(File.ReadAllText(Path.Combine(TestPaths.BlogSample, f))));
        Assert.Equal(expected, TopLevelKinds(built));
        Assert.Contains("kind: ServiceAccount", built, StringComparison.Ordinal);
    }
}

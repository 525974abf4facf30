using k8s.Models;
using MeshNet.Cli.Commands;

namespace MeshNet.Cli.Tests.Install;

public sealed class InjectCommandTests
{
    [Fact]
    public void InjectsStdin_ToStdout_ReportingEachDocument()
    {
        var input = File.ReadAllText(Path.Combine(TestPaths.BlogSample, "posts.yaml"));

        var (exit, output, error) = Run(input, "-f", "-");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(
            ["service/posts unchanged", "deployment/posts-v1 injected", "deployment/posts-v2 injected"],
            error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var deployments = ManifestDocuments.Parse(output).OfType<V1Deployment>().ToList();
        Assert.Equal(2, deployments.Count);
        Assert.All(deployments, d => Assert.Equal("meshnet-proxy", d.Spec.Template.Spec.InitContainers[1].Name));
    }

    [Fact]
    public void RoundTrip_SecondInjectionChangesNothing()
    {
        var (_, once, _) = Run(File.ReadAllText(Path.Combine(TestPaths.BlogSample, "users.yaml")), "-f", "-");

        var (exit, twice, error) = Run(once, "-f", "-");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(once, twice);
        Assert.Contains("deployment/users skipped: already injected", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsAFile_AndEmbedsTheControlPlaneCa_AndImages()
    {
        var ca = Path.GetTempFileName();
        try
        {
            File.WriteAllText(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");

            var (exit, output, _) = Run(string.Empty, "-f", Path.Combine(TestPaths.BlogSample, "comments.yaml"), "--control-plane-ca", ca, "--proxy-image", "registry.local/proxy:dev");

            Assert.Equal(ExitCodes.Ok, exit);
            var template = ManifestDocuments.Parse(output).OfType<V1Deployment>().Single().Spec.Template;
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", template.Metadata.Annotations["meshnet.io/control-plane-ca"], StringComparison.Ordinal);
            Assert.Equal("registry.local/proxy:dev", template.Spec.InitContainers[1].Image);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Fact]
    public void Fails_OnInvalidYaml_WithThePosition()
    {
        var (exit, output, error) = Run("apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n", "-f", "-");

        Assert.Equal(ExitCodes.CouldNotRun, exit);
        Assert.Empty(output);
        Assert.StartsWith("meshctl inject: stdin: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fails_OnAPodWithAMalformedResourceAnnotation()
    {
        const string Pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    meshnet.io/proxy-cpu-limit: fast\nspec:\n  containers: [{name: a, image: b}]\n";

        var (exit, _, error) = Run(Pod, "-f", "-");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("pod/p not injected: error: annotation meshnet.io/proxy-cpu-limit: 'fast' is not a quantity", error, StringComparison.Ordinal);
    }

    private static (int Exit, string Output, string Error) Run(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var parse = InjectCommand.Build(input, output, error).Parse(args);
        Assert.Empty(parse.Errors);
        var exit = parse.Invoke();
        return (exit, output.ToString(), error.ToString().ReplaceLineEndings("\n"));
    }
}

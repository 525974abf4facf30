using MeshNet.Cli.Commands;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Commands;

public sealed class MeshSessionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("meshctl-manifests-").FullName;

    [Fact]
    public void Reads_TheBlogSample()
    {
        var manifests = MeshSession.ReadManifests(TestPaths.BlogSample);

        Assert.Equal(["comments", "frontend", "posts-v1", "posts-v2", "users"], manifests.Deployments.Select(d => d.Metadata.Name).Order());
        Assert.Equal(["comments", "frontend", "posts", "users"], manifests.SelectorServices.Select(s => s.Metadata.Name).Order());
    }

    [Fact]
    public void Rejects_ADirectoryWithoutDeploymentsOrPods()
    {
        File.WriteAllText(Path.Combine(_dir, "svc.yaml"), "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: 80\n");

        var error = Assert.Throws<ManifestException>(() => MeshSession.ReadManifests(_dir));

        Assert.Equal($"no Deployment, StatefulSet or Pod in {_dir}: nothing to run", error.Message);
    }

    [Fact]
    public void Rejects_InvalidManifests_NamingTheFile()
    {
        File.WriteAllText(Path.Combine(_dir, "broken.yaml"), "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: 70000\n");

        var error = Assert.Throws<ManifestException>(() => MeshSession.ReadManifests(_dir));

        Assert.StartsWith("invalid manifests:\n  broken.yaml: ", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

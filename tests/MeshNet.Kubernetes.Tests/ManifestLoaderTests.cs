using MeshNet.Kubernetes.Manifests;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Tests;

public sealed class ManifestLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("meshnet-loader-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void LoadDirectory_ReturnsTypedObjects_IncludingDeployments()
    {
        File.Copy(TestData.Path("blog.yaml"), Path.Combine(_directory, "blog.yaml"));

        var set = ManifestLoader.LoadDirectory(_directory);

        Assert.Empty(set.Errors);
        Assert.Equal("blog", Assert.Single(set.Namespaces).Metadata.Name);
        Assert.Equal("posts", Assert.Single(set.Services).Metadata.Name);
        Assert.Equal("posts-v1-0", Assert.Single(set.Pods).Metadata.Name);
        Assert.Equal("database-1", Assert.Single(set.EndpointSlices).Metadata.Name);
        var deployment = Assert.Single(set.Deployments);
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal("users", deployment.Spec.Template.Spec.Containers[0].Env[0].Value);
        Assert.Equal(4, set.MeshResources.Count());
    }

    [Fact]
    public void LoadDirectory_ReportsErrorsAndDuplicates_InFileOrder()
    {
        File.WriteAllText(Path.Combine(_directory, "a.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: blog}\n");
        File.WriteAllText(Path.Combine(_directory, "b.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: blog}\n---\nkind: Secret\n");

        var set = ManifestLoader.LoadDirectory(_directory);

        Assert.Equal(
            [
                "b.yaml: document 0: Namespace/blog: duplicate: already defined in a.yaml document 0",
                "b.yaml: document 1: kind: unsupported kind \"Secret\": expected one of v1 Namespace, v1 Service, v1 Pod, discovery.k8s.io/v1 EndpointSlice, apps/v1 Deployment, apps/v1 StatefulSet, meshnet.io/v1alpha1 TrafficPolicy, meshnet.io/v1alpha1 TrafficRoute, meshnet.io/v1alpha1 AuthorizationPolicy",
            ],
            set.Errors.Select(e => e.ToString()));
        Assert.Equal("a.yaml", Assert.Single(set.Objects).Origin);
    }

    [Fact]
    public void LoadDirectory_AcceptsASingleFile()
    {
        var set = ManifestLoader.LoadDirectory(TestData.Path("blog.yaml"));

        Assert.Equal(5, set.Objects.Length);
        Assert.All(set.Objects, o => Assert.Equal("blog.yaml", o.Origin));
    }

    [Fact]
    public void LoadDirectory_Throws_ForAMissingPath()
    {
        Assert.Throws<DirectoryNotFoundException>(() => ManifestLoader.LoadDirectory(Path.Combine(_directory, "nope")));
    }

    [Fact]
    public void LoadText_ConvertsToMeshResources()
    {
        var set = ManifestLoader.LoadText("stdin", "apiVersion: v1\nkind: Service\nmetadata: {name: posts}\nspec:\n  ports: [{port: 80}]\n");

        var service = Assert.IsType<MeshService>(Assert.Single(set.MeshResources));
        Assert.Equal("default", service.Namespace);
    }
}

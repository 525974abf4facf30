using System.Collections.Immutable;
using k8s.Models;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Local;

public sealed class ContainerEnvironmentTests
{
    private static readonly PodIdentity Pod = new(
        "posts-v1-abc-xyz12", "blog", "127.0.1.7", "posts",
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("app", "posts"), KeyValuePair.Create("version", "v1")]));

    [Theory]
    [InlineData("metadata.name", "posts-v1-abc-xyz12")]
    [InlineData("metadata.namespace", "blog")]
    [InlineData("status.podIP", "127.0.1.7")]
    [InlineData("spec.serviceAccountName", "posts")]
    [InlineData("metadata.labels['version']", "v1")]
    [InlineData("metadata.labels['missing']", "")]
    public void Resolves_DownwardApiFieldRef(string fieldPath, string expected)
    {
        Assert.Equal(expected, ContainerEnvironment.FieldValue(fieldPath, Pod));
    }

    [Fact]
    public void Rejects_UnsupportedFieldRef()
    {
        var error = Assert.Throws<ManifestException>(() => ContainerEnvironment.FieldValue("metadata.uid", Pod));

        Assert.Equal("unsupported fieldRef.fieldPath 'metadata.uid'", error.Message);
    }

    [Fact]
    public void Resolves_ValuesAndFieldRefsInOrder_ExpandingEarlierVariables()
    {
        var container = new V1Container
        {
            Name = "posts",
            Env =
            [
                new V1EnvVar { Name = "BLOG_ROLE", Value = "posts" },
                new V1EnvVar { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
                new V1EnvVar { Name = "URL", Value = "http://$(POD_IP):8080/$(UNKNOWN)/$$(POD_IP)" },
            ],
        };

        var env = ContainerEnvironment.Resolve(container, Pod);

        Assert.Equal(
            [KeyValuePair.Create("BLOG_ROLE", "posts"), KeyValuePair.Create("POD_IP", "127.0.1.7"), KeyValuePair.Create("URL", "http://127.0.1.7:8080/$(UNKNOWN)/$(POD_IP)")],
            env);
    }

    [Fact]
    public void Rejects_SecretReference()
    {
        var container = new V1Container
        {
            Name = "db",
            Env = [new V1EnvVar { Name = "PASSWORD", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Key = "password", Name = "db" } } }],
        };

        var error = Assert.Throws<ManifestException>(() => ContainerEnvironment.Resolve(container, Pod));

        Assert.Equal("container db: env PASSWORD: only valueFrom.fieldRef is supported in universal mode", error.Message);
    }
}

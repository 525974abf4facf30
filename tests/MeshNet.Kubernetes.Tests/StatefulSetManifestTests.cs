using k8s.Models;
using MeshNet.Kubernetes.Conversion;
using MeshNet.Kubernetes.Manifests;

namespace MeshNet.Kubernetes.Tests;

/// <summary>apps/v1 StatefulSet: read strictly and validated like a Deployment, never a mesh resource itself.</summary>
public sealed class StatefulSetManifestTests
{
    private const string Valid = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: web, namespace: shop}
        spec:
          serviceName: web
          replicas: 3
          ordinals: {start: 5}
          podManagementPolicy: Parallel
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: blog-app
                ports: [{name: http, containerPort: 8080}]
        """;

    [Fact]
    public void Accepts_StatefulSet_WithServiceNameAndOrdinals()
    {
        var result = ManifestParser.Parse("t.yaml", Valid);

        Assert.Empty(result.Errors);
        var accepted = Assert.Single(result.Objects);
        Assert.Equal("StatefulSet shop/web", accepted.Key.ToString());
        var set = Assert.IsType<V1StatefulSet>(accepted.Resource);
        Assert.Equal("web", set.Spec.ServiceName);
        Assert.Equal(5, set.Spec.Ordinals.Start);
        Assert.Null(MeshResourceConverter.TryConvert(set));
        Assert.False(MeshResourceConverter.IsMeshKind(accepted.Key.Kind));
    }

    [Fact]
    public void Loader_KeepsStatefulSets_OutOfMeshResources()
    {
        var set = ManifestLoader.LoadText("t.yaml", Valid);

        Assert.Empty(set.Errors);
        Assert.Single(set.Objects.Select(o => o.Resource).OfType<V1StatefulSet>());
        Assert.Empty(set.MeshResources);
    }

    public static TheoryData<string, string, string> Broken => new()
    {
        { "  replicas: 3\n", "  replicas: \"3\"\n", "spec.replicas: expected integer, got string" },
        { "  serviceName: web\n", "  serviceNme: web\n", "spec.serviceNme: unknown field" },
        { "  replicas: 3\n", "  replicas: -1\n", "spec.replicas: invalid value -1: must be 0 or more" },
        { "  ordinals: {start: 5}\n", "  ordinals: {start: -2}\n", "spec.ordinals.start: invalid value -2: must be 0 or more" },
        { "  serviceName: web\n", "  serviceName: Web_1\n", "spec.serviceName: invalid name \"Web_1\"" },
        { "  podManagementPolicy: Parallel\n", "  podManagementPolicy: Random\n", "spec.podManagementPolicy: unsupported value \"Random\"" },
        { "    metadata: {labels: {app: web}}\n", "    metadata: {labels: {app: other}}\n", "spec.template.metadata.labels: must match spec.selector: missing app=web" },
        { "  selector: {matchLabels: {app: web}}\n", "", "spec.selector: required" },
        { "metadata: {name: web, namespace: shop}\n", "metadata: {name: web.v1, namespace: shop}\n", "metadata.name: invalid name \"web.v1\": must be a DNS-1123 label" },
        { "      - name: web\n", "      - name: Web\n", "spec.template.spec.containers[0].name" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Rejects_InvalidStatefulSet_NamingTheField(string original, string replacement, string expected)
    {
        Assert.Contains(original, Valid, StringComparison.Ordinal);
        var result = ManifestParser.Parse("t.yaml", Valid.Replace(original, replacement, StringComparison.Ordinal));

        Assert.Empty(result.Objects);
        var error = Assert.Single(result.Errors);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("t.yaml: document 0: StatefulSet shop/", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_StatefulSet_WhoseLastPodNameIsNoHostname()
    {
        var name = new string('a', 60);
        var yaml = Valid.Replace("name: web, namespace", $"name: {name}, namespace", StringComparison.Ordinal);

        // Ordinals 5..7: "<60 letters>-7" is 62 characters, fine; with 100 replicas "-104" makes 64.
        Assert.Empty(ManifestParser.Parse("t.yaml", yaml).Errors);
        var error = Assert.Single(ManifestParser.Parse("t.yaml", yaml.Replace("replicas: 3", "replicas: 100", StringComparison.Ordinal)).Errors);
        Assert.Contains($"metadata.name: too long: its last pod's name \"{name}-104\"", error.ToString(), StringComparison.Ordinal);
    }
}

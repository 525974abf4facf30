using k8s.Models;
using MeshNet.Kubernetes.Manifests;

namespace MeshNet.Kubernetes.Tests;

public sealed class ManifestParserAcceptTests
{
    [Fact]
    public void Parses_EverySupportedKind_FromOneMultiDocumentFile()
    {
        var result = ManifestParser.Parse("blog.yaml", TestData.Read("blog.yaml"));

        Assert.Empty(result.Errors);
        Assert.Equal(
            ["Namespace/blog", "Service blog/posts", "Pod blog/posts-v1-0", "EndpointSlice blog/database-1", "Deployment blog/users"],
            result.Objects.Select(o => o.Key.ToString()));
        Assert.Equal([0, 1, 2, 3, 4], result.Objects.Select(o => o.DocumentIndex));
        Assert.IsType<V1Deployment>(result.Objects.Last().Resource);
    }

    [Fact]
    public void Skips_EmptyDocuments_AndCountsSeparatedSections()
    {
        const string Yaml = "---\n# only a comment\n---\n\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: blog}\n---\n";

        var result = ManifestParser.Parse("t.yaml", Yaml);

        var accepted = Assert.Single(result.Objects);
        Assert.Equal(2, accepted.DocumentIndex);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Defaults_MissingNamespace_ToDefault()
    {
        const string Yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: posts}\nspec:\n  ports: [{port: 80}]\n";

        var accepted = Assert.Single(ManifestParser.Parse("t.yaml", Yaml).Objects);

        Assert.Equal("default", accepted.Key.Namespace);
        Assert.Equal("default", accepted.Resource.Metadata.NamespaceProperty);
    }

    [Fact]
    public void Loads_OtherDocuments_WhenOneIsBroken()
    {
        const string Yaml = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: a}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: b
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: c, colour: blue}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: d}
            """;

        var result = ManifestParser.Parse("t.yaml", Yaml);

        Assert.Equal(["Namespace/a", "Namespace/d"], result.Objects.Select(o => o.Key.ToString()));
        Assert.Equal([1, 2], result.Errors.Select(e => e.DocumentIndex!.Value));
        Assert.Equal("t.yaml: document 2: Namespace/c: metadata.colour: unknown field", result.Errors.Last().ToString());
    }

    [Fact]
    public void Canonical_IgnoresFormattingQuotingAndKeyOrder()
    {
        const string A = "apiVersion: v1\nkind: Service\nmetadata: {name: posts, labels: {a: '1', b: x}}\nspec:\n  ports: [{port: 80, name: http}]\n";
        const string B = "# a comment\nkind: Service\napiVersion: \"v1\"\nmetadata:\n  labels:\n    b: x\n    a: \"1\"\n  name: posts\nspec:\n  ports:\n  - name: http\n    port: 80\n";

        var a = Assert.Single(ManifestParser.Parse("a.yaml", A).Objects);
        var b = Assert.Single(ManifestParser.Parse("b.yaml", B).Objects);

        Assert.Equal(a.Canonical, b.Canonical);
    }

    public static TheoryData<string> ValidDocuments => new()
    {
        // Headless Services need no ports.
        "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {clusterIP: None}\n",
        // ExternalName with a fully qualified name and no ports.
        "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {type: ExternalName, externalName: db.example.com.}\n",
        // One unnamed port; a numeric targetPort.
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80, targetPort: 8080}]\n",
        // targetPort 0 means "same as port".
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80, targetPort: 0}]\n",
        // YAML 1.1 booleans are plain strings to us; quoted numbers are strings.
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels: {enabled: yes, version: \"2\"}\nspec:\n  ports: [{port: 80}]\n",
        // Explicit nulls mean "not set", as in Kubernetes.
        "apiVersion: v1\nkind: Service\nmetadata: {name: a, labels: null}\nspec:\n  selector: ~\n  ports: [{port: 80, protocol: UDP}]\n",
        // Status fields and timestamps are accepted on Pods.
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, creationTimestamp: \"2024-05-01T10:00:00Z\"}\nspec:\n  containers: [{name: app, resources: {limits: {cpu: 500m, memory: 128Mi}}}]\nstatus:\n  phase: Running\n  conditions: [{type: Ready, status: \"False\", lastTransitionTime: \"2024-05-01T10:00:00Z\"}]\n",
        // An EndpointSlice port may be unnamed; FQDN addresses.
        "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ext\n  labels: {kubernetes.io/service-name: ext}\naddressType: FQDN\nports: [{port: 443}]\nendpoints: [{addresses: [db.example.com]}]\n",
        // A BOM-less file with CRLF line endings.
        "apiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: blog\r\n",
    };

    [Theory]
    [MemberData(nameof(ValidDocuments))]
    public void Accepts_ValidDocument(string yaml)
    {
        var result = ManifestParser.Parse("t.yaml", yaml);

        Assert.Empty(result.Errors);
        Assert.Single(result.Objects);
    }
}

using MeshNet.Kubernetes.Manifests;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Tests;

/// <summary>The diffing rules of the directory source, driven file version by file version without a filesystem.</summary>
public sealed class ManifestStateTrackerTests
{
    private readonly RecordingSink _sink = new();
    private readonly ManifestStateTracker _tracker;

    public ManifestStateTrackerTests()
    {
        _tracker = new ManifestStateTracker(_sink);
    }

    internal static string Service(string name, int port, string ns = "blog") =>
        $"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{app: {name}}}\n  ports: [{{name: http, port: {port}}}]\n";

    private ManifestFileChange Apply(string origin, params string[] documents) =>
        _tracker.Apply(origin, ManifestFiles.FromBytes(System.Text.Encoding.UTF8.GetBytes(string.Join("---\n", documents))));

    private int PortOf(string name) => _sink.Get<MeshService>("Service", "blog", name)!.Ports[0].Port;

    [Fact]
    public void Upserts_OnlyResourcesWhoseContentChanged()
    {
        Apply("a.yaml", Service("posts", 80), Service("users", 80));
        _sink.ClearEvents();

        Apply("a.yaml", "# reformatted\n" + Service("posts", 81), Service("users", 80).Replace("port: 80", "port:   80", StringComparison.Ordinal));

        Assert.Equal(["upsert Service blog/posts"], _sink.Events);
        Assert.Equal(81, PortOf("posts"));
    }

    [Fact]
    public void Deletes_ResourcesThatDisappearFromTheFile()
    {
        Apply("a.yaml", Service("posts", 80), Service("users", 80));
        _sink.ClearEvents();

        Apply("a.yaml", Service("users", 80));

        Assert.Equal(["delete Service blog/posts"], _sink.Events);
    }

    [Fact]
    public void Keeps_LastGoodVersion_WhenADocumentBecomesInvalid_AndClearsErrorsAfterTheFix()
    {
        Apply("a.yaml", Service("posts", 80), Service("users", 80));
        _sink.ClearEvents();

        var broken = Apply("a.yaml", Service("posts", 70000), Service("users", 81));

        Assert.Equal(["upsert Service blog/users"], _sink.Events);
        Assert.Equal(80, PortOf("posts"));
        Assert.Equal(["a.yaml: document 0: Service blog/posts: spec.ports[0].port: invalid port 70000: must be 1-65535"], _sink.Errors);
        Assert.Single(broken.Errors);

        Apply("a.yaml", Service("posts", 82), Service("users", 81));

        Assert.Equal(82, PortOf("posts"));
        Assert.Empty(_sink.Errors);
        Assert.True(_sink.HasReportedFor("a.yaml"));
    }

    [Fact]
    public void Keeps_AllResources_WhenTheWholeFileFailsToParse()
    {
        Apply("a.yaml", Service("posts", 80), Service("users", 80));
        _sink.ClearEvents();

        Apply("a.yaml", "apiVersion: v1\nkind: [Service\n");

        Assert.Empty(_sink.Events);
        Assert.Equal(["Service blog/posts", "Service blog/users"], _sink.Keys);
        Assert.Single(_sink.Errors);
    }

    [Fact]
    public void Defers_Deletions_WhileAnotherDocumentOfTheFileIsUnreadable()
    {
        Apply("a.yaml", Service("posts", 80), Service("users", 80));
        _sink.ClearEvents();

        Apply("a.yaml", "{{{\n", Service("posts", 80));

        Assert.Empty(_sink.Events);

        Apply("a.yaml", Service("posts", 80));

        Assert.Equal(["delete Service blog/users"], _sink.Events);
    }

    [Fact]
    public void Rejects_ADuplicateInASecondFile_AndKeepsTheFirst()
    {
        Apply("a.yaml", Service("posts", 80));
        _sink.ClearEvents();

        Apply("b.yaml", Service("posts", 81), Service("users", 80));

        Assert.Equal(["upsert Service blog/users"], _sink.Events);
        Assert.Equal(80, PortOf("posts"));
        Assert.Equal(["b.yaml: document 0: Service blog/posts: duplicate: already defined in a.yaml document 0"], _sink.Errors);
    }

    [Fact]
    public void Rejects_ADuplicateWithinOneFile_OnTheLaterDocument()
    {
        Apply("a.yaml", Service("posts", 80), Service("posts", 81));

        Assert.Equal(80, PortOf("posts"));
        Assert.Equal(["a.yaml: document 1: Service blog/posts: duplicate: already defined in a.yaml document 0"], _sink.Errors);
    }

    [Fact]
    public void Hands_ADuplicatedResourceToTheRemainingDefinition_WhenTheFirstGoesAway()
    {
        Apply("a.yaml", Service("posts", 80));
        Apply("b.yaml", Service("posts", 81));
        _sink.ClearEvents();

        var removed = _tracker.Remove("a.yaml");
        var reapplied = _tracker.ResolveReleased();

        Assert.Equal(1, removed.Deleted);
        Assert.Equal("b.yaml", Assert.Single(reapplied).Origin);
        Assert.Equal(["delete Service blog/posts", "upsert Service blog/posts"], _sink.Events);
        Assert.Equal(81, PortOf("posts"));
        Assert.Empty(_sink.Errors);
    }

    [Fact]
    public void Removing_AFile_DeletesItsResourcesAndClearsItsErrors()
    {
        Apply("a.yaml", Service("posts", 80), Service("Bad", 80));
        Assert.Single(_sink.Errors);

        _tracker.Remove("a.yaml");

        Assert.Empty(_sink.Keys);
        Assert.Empty(_sink.Errors);
    }

    [Fact]
    public void Deployments_AreTrackedButNeverReachTheSink()
    {
        var deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: users}\nspec:\n  selector: {matchLabels: {app: users}}\n  template:\n    metadata: {labels: {app: users}}\n    spec: {containers: [{name: app}]}\n";

        Apply("a.yaml", deployment);
        Apply("a.yaml", Service("users", 80));

        Assert.Equal(["upsert Service blog/users"], _sink.Events);
        Assert.Equal(["Service blog/users"], _tracker.Objects.Select(o => o.Key.ToString()));
    }
}

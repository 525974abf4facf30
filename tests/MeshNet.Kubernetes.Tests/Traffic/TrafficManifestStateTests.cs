using MeshNet.Kubernetes.Manifests;
using MeshNet.Model.Traffic;

namespace MeshNet.Kubernetes.Tests.Traffic;

/// <summary>Traffic resources ride the manifest machinery: per-document errors, last good version, deletes.</summary>
public sealed class TrafficManifestStateTests
{
    private readonly RecordingSink _sink = new();
    private readonly ManifestStateTracker _tracker;

    public TrafficManifestStateTests()
    {
        _tracker = new ManifestStateTracker(_sink);
    }

    private static string Policy(string name, string attempts) =>
        $"apiVersion: meshnet.io/v1alpha1\nkind: TrafficPolicy\nmetadata: {{name: {name}, namespace: blog}}\nspec:\n  targetRef: {{kind: Service, name: {name}}}\n  retries: {{attempts: {attempts}}}\n";

    private static string Route(string name, int v1, int v2) =>
        $"apiVersion: meshnet.io/v1alpha1\nkind: TrafficRoute\nmetadata: {{name: {name}, namespace: blog}}\nspec:\n  targetRef: {{kind: Service, name: {name}}}\n"
        + $"  rules:\n  - backends: [{{subset: {{version: v1}}, weight: {v1}}}, {{subset: {{version: v2}}, weight: {v2}}}]\n";

    private void Apply(string origin, params string[] documents) =>
        _tracker.Apply(origin, ManifestFiles.FromBytes(System.Text.Encoding.UTF8.GetBytes(string.Join("---\n", documents))));

    private int AttemptsOf(string name) => _sink.Get<TrafficPolicy>("TrafficPolicy", "blog", name)!.Retries!.Attempts;

    private int[] WeightsOf(string name) =>
        [.. _sink.Get<TrafficRoute>("TrafficRoute", "blog", name)!.Rules[0].Backends.Select(b => b.Weight)];

    [Fact]
    public void Keeps_TheGoodPolicy_OfAFileMixingAGoodAndABadOne()
    {
        Apply("traffic.yaml", Policy("posts", "3"), Policy("users", "11"), Route("posts", 90, 10));

        Assert.Equal(["TrafficPolicy blog/posts", "TrafficRoute blog/posts"], _sink.Keys);
        Assert.Equal(3, AttemptsOf("posts"));
        Assert.Equal(["traffic.yaml: document 1: TrafficPolicy blog/users: spec.retries.attempts: invalid value 11: must be 0-10"], _sink.Errors);
    }

    [Fact]
    public void Keeps_TheLastGoodVersion_WhenEditedIntoAnInvalidState_AndTakesTheFix()
    {
        Apply("traffic.yaml", Policy("posts", "3"), Route("posts", 90, 10));
        _sink.ClearEvents();

        Apply("traffic.yaml", Policy("posts", "-1"), Route("posts", 0, 0));

        Assert.Empty(_sink.Events);
        Assert.Equal(3, AttemptsOf("posts"));
        Assert.Equal([90, 10], WeightsOf("posts"));
        Assert.Equal(
            [
                "traffic.yaml: document 0: TrafficPolicy blog/posts: spec.retries.attempts: invalid value -1: must be 0-10",
                "traffic.yaml: document 1: TrafficRoute blog/posts: spec.rules[0].backends: weights are all zero",
            ],
            _sink.Errors);

        Apply("traffic.yaml", Policy("posts", "1"), Route("posts", 50, 50));

        Assert.Equal(["upsert TrafficPolicy blog/posts", "upsert TrafficRoute blog/posts"], _sink.Events);
        Assert.Equal(1, AttemptsOf("posts"));
        Assert.Equal([50, 50], WeightsOf("posts"));
        Assert.Empty(_sink.Errors);
    }

    [Fact]
    public void Deletes_TrafficResources_ThatLeaveTheFile()
    {
        Apply("traffic.yaml", Policy("posts", "3"), Route("posts", 90, 10));
        _sink.ClearEvents();

        Apply("traffic.yaml", Route("posts", 90, 10));

        Assert.Equal(["delete TrafficPolicy blog/posts"], _sink.Events);
    }

    [Fact]
    public void Accepts_TheBlogSamplesTrafficManifest()
    {
        var path = Path.Combine(RepositoryRoot(), "samples", "blog", "posts-traffic.yaml");

        var result = ManifestParser.Parse("posts-traffic.yaml", File.ReadAllText(path));

        Assert.Empty(result.Errors);
        Assert.Equal(["TrafficPolicy blog/posts", "TrafficRoute blog/posts"], result.Objects.Select(o => o.Key.ToString()));
        Assert.All(result.Objects, o => Assert.NotNull(Conversion.MeshResourceConverter.TryConvert(o.Resource)));
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MeshNet.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("MeshNet.sln not found above the test binaries");
    }
}

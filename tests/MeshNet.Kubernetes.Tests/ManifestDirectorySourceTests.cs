using MeshNet.Kubernetes.Manifests;
using MeshNet.Model;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.Kubernetes.Tests;

/// <summary>Against a real temporary directory: files are written, edited and deleted as a user would.</summary>
public sealed class ManifestDirectorySourceTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private readonly string _directory = Directory.CreateTempSubdirectory("meshnet-manifests-").FullName;
    private readonly RecordingSink _sink = new();
    private readonly RecordingLogger<ManifestDirectorySource> _logger = new();
    private ManifestDirectorySource? _source;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static string Service(string name, int port) => ManifestStateTrackerTests.Service(name, port);

    private void Write(string relativePath, params string[] documents)
    {
        var path = Path.Combine(_directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Join("---\n", documents));
    }

    private async Task StartAsync(TimeProvider? timeProvider = null, bool watch = true)
    {
        _source = new ManifestDirectorySource(_directory, _sink, _logger, timeProvider) { WatchFileSystem = watch };
        await _source.StartAsync(CancellationToken.None);
    }

    private int? PortOf(string name) => _sink.Get<MeshService>("Service", "blog", name)?.Ports[0].Port;

    /// <summary>End-to-end style wait: the source works on its own thread and on real file events.</summary>
    private static async Task Eventually(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Start_LoadsEveryManifestRecursively_BeforeReturning()
    {
        Write("services.yaml", Service("posts", 80));
        Write("nested/deeper/users.yml", Service("users", 80));
        Write("notes.txt", "not a manifest");
        Write(".hidden/old.yaml", Service("old", 80));
        Write("..data/services.yaml", Service("posts", 80));

        await StartAsync();

        Assert.Equal(["Service blog/posts", "Service blog/users"], _sink.Keys);
        Assert.True(_sink.HasReportedFor("services.yaml"));
        Assert.True(_sink.HasReportedFor("nested/deeper/users.yml"));
        Assert.Empty(_sink.Errors);
    }

    [Fact]
    public async Task Start_Fails_WhenTheDirectoryDoesNotExist()
    {
        var source = new ManifestDirectorySource(Path.Combine(_directory, "missing"), _sink, _logger);

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => source.StartAsync(CancellationToken.None));
        await source.DisposeAsync();
    }

    [Fact]
    public async Task Observes_AddedEditedAndDeletedFiles()
    {
        Write("posts.yaml", Service("posts", 80));
        await StartAsync();

        Write("users.yaml", Service("users", 80));
        await Eventually(() => PortOf("users") == 80, "users added");

        Write("posts.yaml", Service("posts", 81));
        await Eventually(() => PortOf("posts") == 81, "posts edited");

        File.Delete(Path.Combine(_directory, "users.yaml"));
        await Eventually(() => PortOf("users") is null, "users deleted");

        Assert.Equal(["Service blog/posts"], _sink.Keys);
    }

    [Fact]
    public async Task BrokenEdit_KeepsLastGoodVersion_AndTheFixClearsTheErrors()
    {
        Write("posts.yaml", Service("posts", 80));
        await StartAsync();

        Write("posts.yaml", Service("posts", 80).Replace("ports:", "portz:", StringComparison.Ordinal));
        await Eventually(() => _sink.Errors.Count == 1, "error reported");

        Assert.Equal("posts.yaml: document 0: Service blog/posts: spec.portz: unknown field", _sink.Errors[0]);
        Assert.Equal(80, PortOf("posts"));

        Write("posts.yaml", Service("posts", 81));
        await Eventually(() => _sink.Errors.Count == 0 && PortOf("posts") == 81, "fix applied");
    }

    [Fact]
    public async Task Duplicate_InAnotherFile_IsReported_AndTakesOverWhenTheFirstIsDeleted()
    {
        Write("a.yaml", Service("posts", 80));
        Write("b.yaml", Service("posts", 81));
        await StartAsync();

        Assert.Equal(80, PortOf("posts"));
        Assert.Equal(["b.yaml: document 0: Service blog/posts: duplicate: already defined in a.yaml document 0"], _sink.Errors);

        File.Delete(Path.Combine(_directory, "a.yaml"));
        await Eventually(() => PortOf("posts") == 81 && _sink.Errors.Count == 0, "b.yaml takes over");
    }

    [Fact]
    public async Task Logs_EachErrorWithStructuredFields()
    {
        Write("bad.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: posts, namespace: blog}\nspec:\n  ports: [{port: 0}]\n");

        await StartAsync();

        var entry = Assert.Single(_logger.Entries, e => e.EventName == "ManifestError");
        Assert.Equal("bad.yaml", entry.Fields["Origin"]);
        Assert.Equal(0, entry.Fields["Document"]);
        Assert.Equal("Service blog/posts", entry.Fields["Resource"]);
        Assert.Equal("spec.ports[0].port", entry.Fields["Field"]);
        Assert.Equal("invalid port 0: must be 1-65535", entry.Fields["ErrorMessage"]);
    }

    [Fact]
    public async Task PeriodicRescan_FindsChanges_WithoutFileNotifications()
    {
        var time = new FakeTimeProvider();
        Write("posts.yaml", Service("posts", 80));
        await StartAsync(time, watch: false);

        Write("posts.yaml", Service("posts", 81));
        Write("users.yaml", Service("users", 80));

        // Without notifications nothing changes until the rescan interval passes; the loop may not be
        // waiting yet when time moves, so keep moving it until the rescan has happened.
        await Eventually(() =>
        {
            time.Advance(TimeSpan.FromSeconds(2));
            return PortOf("posts") == 81 && PortOf("users") == 80;
        }, "rescan picked up both files");
    }

    [Fact]
    public async Task PeriodicRescan_SkipsFilesWhoseSizeAndOldTimestampAreUnchanged_AndRereadsOnAnyStampChange()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var path = Path.Combine(_directory, "posts.yaml");
        var old = DateTime.UtcNow.AddHours(-1);
        Write("posts.yaml", Service("posts", 80));
        File.SetLastWriteTimeUtc(path, old);
        await StartAsync(time, watch: false);

        // Same length, same (old) timestamp: the rescan trusts the stamp and does not read the file.
        Write("posts.yaml", Service("posts", 81));
        File.SetLastWriteTimeUtc(path, old);
        Write("marker.yaml", Service("marker", 80));
        await Eventually(() =>
        {
            time.Advance(TimeSpan.FromSeconds(2));
            return PortOf("marker") == 80;
        }, "a rescan happened");
        Assert.Equal(80, PortOf("posts"));

        // Any change of the stamp makes it read again.
        File.SetLastWriteTimeUtc(path, old.AddSeconds(1));
        await Eventually(() =>
        {
            time.Advance(TimeSpan.FromSeconds(2));
            return PortOf("posts") == 81;
        }, "the rescan re-read the file with a new timestamp");
    }
}

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>
/// A temporary manifest directory for the control plane's <c>--config</c>. Files are written beside it and moved
/// in, so the watcher never reads a half-written file. Disposing removes the directory and its staging twin.
/// </summary>
internal sealed class ManifestDirectory : IDisposable
{
    private readonly string _root;
    private readonly string _staging;
    private readonly TestLog _log;

    public ManifestDirectory(TestLog log)
    {
        _log = log;
        _root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "meshnet-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Path = System.IO.Path.Combine(_root, "manifests");
        _staging = System.IO.Path.Combine(_root, "staging");
        Directory.CreateDirectory(Path);
        Directory.CreateDirectory(_staging);
    }

    public string Path { get; }

    /// <summary>Creates or replaces <paramref name="fileName"/> with <paramref name="yaml"/> in one rename.</summary>
    public void Write(string fileName, string yaml)
    {
        var staged = System.IO.Path.Combine(_staging, fileName);
        File.WriteAllText(staged, yaml);
        File.Move(staged, System.IO.Path.Combine(Path, fileName), overwrite: true);
        _log.Note($"manifest written: {fileName}");
    }

    public void Delete(string fileName)
    {
        File.Delete(System.IO.Path.Combine(Path, fileName));
        _log.Note($"manifest deleted: {fileName}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A process still holding the directory (being killed): the OS temp cleaner gets the rest.
        }
    }
}

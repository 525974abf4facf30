namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>
/// Finds the programs under test in the artifacts layout (artifacts/bin/&lt;Project&gt;/&lt;configuration&gt;/),
/// preferring the configuration this test assembly was built in, so a Release test run never picks up a stale
/// Debug build. <c>MESHNET_BIN_DIR</c> names a folder holding the dlls directly and wins over both.
/// </summary>
internal static class MeshBinaries
{
    public const string BinDirVariable = "MESHNET_BIN_DIR";

    public static string ControlPlane => Find("MeshNet.ControlPlane", "meshnet-control.dll");

    public static string Proxy => Find("MeshNet.Proxy", "meshnet-proxy.dll");

    public static string TestBackend => Find("MeshNet.TestBackend", "meshnet-testbackend.dll");

    public static string Find(string project, string dll)
    {
        var overrideDir = Environment.GetEnvironmentVariable(BinDirVariable);
        if (!string.IsNullOrEmpty(overrideDir))
        {
            var overridden = Path.Combine(overrideDir, dll);
            return File.Exists(overridden)
                ? overridden
                : throw new FileNotFoundException($"{BinDirVariable} is set but holds no {dll}", overridden);
        }

        var root = RepositoryRoot();
        var tried = new List<string>();
        foreach (var configuration in PreferredConfigurations())
        {
            var candidate = Path.Combine(root, "artifacts", "bin", project, configuration, dll);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            tried.Add(candidate);
        }

        throw new FileNotFoundException($"{dll} is not built; looked at: {string.Join(", ", tried)}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MeshNet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no MeshNet.sln above {AppContext.BaseDirectory}");
    }

    private static IEnumerable<string> PreferredConfigurations()
    {
        // The test assembly itself sits in artifacts/bin/MeshNet.EndToEnd.Tests/<configuration>/.
        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var isRelease = own.StartsWith("release", StringComparison.OrdinalIgnoreCase);
        return isRelease ? ["release", "debug"] : ["debug", "release"];
    }
}

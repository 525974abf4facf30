namespace MeshNet.Bench.Dataplane;

/// <summary>
/// Finds the repository and the built dlls: MESHNET_BIN_DIR when set (a folder holding the dlls), else
/// artifacts/bin/&lt;Project&gt;/&lt;configuration&gt;/ under the folder holding MeshNet.sln, preferring this tool's own
/// configuration.
/// </summary>
internal static class BinLocator
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Dll(string project, string assembly)
    {
        var overrideDir = Environment.GetEnvironmentVariable("MESHNET_BIN_DIR");
        if (!string.IsNullOrEmpty(overrideDir) && File.Exists(Path.Combine(overrideDir, assembly + ".dll")))
        {
            return Path.Combine(overrideDir, assembly + ".dll");
        }
        var own = AppContext.BaseDirectory.Contains("/debug/", StringComparison.Ordinal) ? "debug" : "release";
        var other = own == "release" ? "debug" : "release";
        foreach (var configuration in new[] { own, other })
        {
            var path = Path.Combine(RepositoryRoot, "artifacts", "bin", project, configuration, assembly + ".dll");
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new FileNotFoundException($"{assembly}.dll not built (dotnet build -c Release {project})");
    }

    public static string Template(string name) => Path.Combine(AppContext.BaseDirectory, "templates", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MeshNet.sln")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}

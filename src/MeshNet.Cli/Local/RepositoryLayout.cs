namespace MeshNet.Cli.Local;

/// <summary>Where things live in a MeshNet checkout: found by walking up to the folder holding MeshNet.sln.</summary>
internal static class RepositoryLayout
{
    public const string SolutionFile = "MeshNet.sln";

    public static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    public static string? BlogSample(string? root) =>
        root is null ? null : Path.Combine(root, "samples", "blog");

    /// <summary>Per-run logs go next to the build output in a checkout, else to the temp folder.</summary>
    public static string LogDirectory(string? root) =>
        root is null ? Path.Combine(Path.GetTempPath(), "meshctl") : Path.Combine(root, "artifacts", "logs");
}

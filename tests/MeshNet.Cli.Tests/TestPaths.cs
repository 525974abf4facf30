using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests;

internal static class TestPaths
{
    public static string RepositoryRoot { get; } =
        RepositoryLayout.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("tests run outside a MeshNet checkout");

    public static string BlogSample { get; } = Path.Combine(RepositoryRoot, "samples", "blog");
}

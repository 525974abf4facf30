namespace MeshNet.EndToEnd.Tests.Dashboard;

/// <summary>Where the checkout is, and where the dashboard test leaves its screenshots.</summary>
internal static class DashboardPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>artifacts/test-results/dashboard: CI keeps it as the test's artifact.</summary>
    public static string Results => Path.Combine(RepositoryRoot, "artifacts", "test-results", "dashboard");

    /// <summary>The README's picture of the graph.</summary>
    public static string ReadmeScreenshot => Path.Combine(RepositoryRoot, "docs", "images", "dashboard.png");

    public const string Chromium = "/usr/bin/chromium";

    /// <summary>
    /// Every run takes a slightly different picture (rates, times), so the committed one is replaced only when it is
    /// missing or when asked with MESHNET_UPDATE_SCREENSHOTS=1: a plain test run leaves the checkout clean.
    /// </summary>
    public static bool ShouldUpdateReadmeScreenshot =>
        !File.Exists(ReadmeScreenshot) || Environment.GetEnvironmentVariable("MESHNET_UPDATE_SCREENSHOTS") == "1";

    private static string FindRoot()
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
}

namespace MeshNet.Proxy.Tests.Infrastructure;

/// <summary>Golden files under testdata/; set MESHNET_UPDATE_GOLDEN=1 to rewrite them, then review the diff.</summary>
public static class Golden
{
    public static void AssertMatches(string name, string actual)
    {
        var path = Path.Combine(SourceDirectory(), "testdata", name);
        if (Environment.GetEnvironmentVariable("MESHNET_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string SourceDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MeshNet.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "MeshNet.Proxy.Tests");
            }
        }

        throw new InvalidOperationException("MeshNet.sln not found above " + AppContext.BaseDirectory);
    }
}

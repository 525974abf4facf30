using System.Runtime.CompilerServices;

namespace MeshNet.ControlPlane.Tests;

/// <summary>Golden files under testdata/; set MESHNET_UPDATE_GOLDEN=1 to rewrite them, then review the diff.</summary>
internal static class Golden
{
    public static void Assert(string name, string actual)
    {
        var path = Path.Combine(TestDataDirectory(), name);
        actual = actual.ReplaceLineEndings("\n");
        if (!actual.EndsWith('\n'))
        {
            actual += "\n";
        }

        if (Environment.GetEnvironmentVariable("MESHNET_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Xunit.Assert.True(File.Exists(path), $"missing golden file {name}; run with MESHNET_UPDATE_GOLDEN=1 to create it");
        Xunit.Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    private static string TestDataDirectory([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "testdata");
}

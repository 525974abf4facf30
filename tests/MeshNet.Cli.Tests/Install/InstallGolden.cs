using System.Runtime.CompilerServices;

namespace MeshNet.Cli.Tests.Install;

/// <summary>Golden files beside this source file; MESHNET_UPDATE_GOLDEN=1 rewrites them (then review the diff).</summary>
internal static class InstallGolden
{
    public static string Path(string name) => System.IO.Path.Combine(Directory(), name);

    public static void Assert(string name, string actual)
    {
        var path = Path(name);
        actual = actual.ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("MESHNET_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Xunit.Assert.True(File.Exists(path), $"missing golden file {name}; run with MESHNET_UPDATE_GOLDEN=1 to create it");
        Xunit.Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    private static string Directory([CallerFilePath] string source = "") => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(source)!, "testdata");
}

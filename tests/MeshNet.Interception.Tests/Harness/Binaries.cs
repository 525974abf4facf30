namespace MeshNet.Interception.Tests.Harness;

/// <summary>Where the built programs are: MESHNET_BIN_DIR, else artifacts/bin of this checkout, same configuration first.</summary>
public static class Binaries
{
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    public static string Meshctl
    {
        get
        {
            if (Environment.GetEnvironmentVariable("MESHNET_BIN_DIR") is { Length: > 0 } overridden)
            {
                return Path.Combine(overridden, "meshctl.dll");
            }

            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "MeshNet.sln")))
            {
                root = root.Parent;
            }

            Assert.NotNull(root);
            var configuration = AppContext.BaseDirectory.Contains("/release/", StringComparison.OrdinalIgnoreCase) ? "release" : "debug";
            return Path.Combine(root.FullName, "artifacts", "bin", "MeshNet.Cli", configuration, "meshctl.dll");
        }
    }

    /// <summary>Another program's dll, from the same artifacts folder and configuration as meshctl.</summary>
    public static string Program(string project, string assembly)
    {
        if (Environment.GetEnvironmentVariable("MESHNET_BIN_DIR") is { Length: > 0 } overridden)
        {
            return Path.Combine(overridden, assembly + ".dll");
        }

        var meshctl = Meshctl;
        var configuration = Path.GetFileName(Path.GetDirectoryName(meshctl))!;
        return Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(meshctl)))!, project, configuration, assembly + ".dll");
    }
}

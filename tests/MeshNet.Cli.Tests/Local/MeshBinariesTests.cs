using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Local;

public sealed class MeshBinariesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("meshctl-binaries-").FullName;

    [Fact]
    public void Prefers_TheCallersConfiguration()
    {
        var release = Create("artifacts/bin/MeshNet.Proxy/release/meshnet-proxy.dll");
        var debug = Create("artifacts/bin/MeshNet.Proxy/debug/meshnet-proxy.dll");

        Assert.Equal(release, new MeshBinaries(null, _root, "release").Resolve("meshnet-proxy"));
        Assert.Equal(debug, new MeshBinaries(null, _root, "debug").Resolve("meshnet-proxy"));
    }

    [Fact]
    public void Prefers_TheOwnProject_OverACopyInAReferencingProject()
    {
        Create("artifacts/bin/MeshNet.Bench.Balancing/release/MeshNet.Bench.Balancing.dll");
        Create("artifacts/bin/MeshNet.Bench.Balancing/release/meshnet-proxy.dll");
        var own = Create("artifacts/bin/MeshNet.Proxy/release/meshnet-proxy.dll");
        Create("artifacts/bin/MeshNet.Proxy.Tests/release/MeshNet.Proxy.Tests.dll");
        Create("artifacts/bin/MeshNet.Proxy.Tests/release/meshnet-proxy.dll");

        Assert.Equal(own, new MeshBinaries(null, _root, "release").Resolve("meshnet-proxy"));
    }

    [Fact]
    public void Uses_ACopy_WhenTheOwnProjectIsNotBuilt()
    {
        Create("artifacts/bin/MeshNet.Proxy.Tests/debug/MeshNet.Proxy.Tests.dll");
        var copy = Create("artifacts/bin/MeshNet.Proxy.Tests/debug/meshnet-proxy.dll");

        Assert.Equal(copy, new MeshBinaries(null, _root, "debug").Resolve("meshnet-proxy"));
    }

    [Fact]
    public void Falls_BackToTheOtherConfiguration()
    {
        var debug = Create("artifacts/bin/BlogApp/debug/blog-app.dll");

        Assert.Equal(debug, new MeshBinaries(null, _root, "release").Resolve("blog-app"));
    }

    [Fact]
    public void Uses_TheOverrideDirectoryFirst()
    {
        Create("artifacts/bin/MeshNet.ControlPlane/debug/meshnet-control.dll");
        var overridden = Create("flat/meshnet-control.dll");

        Assert.Equal(overridden, new MeshBinaries(Path.Combine(_root, "flat"), _root, "debug").Resolve("meshnet-control"));
    }

    [Fact]
    public void Names_WhereItSearched_WhenMissing()
    {
        Directory.CreateDirectory(Path.Combine(_root, "artifacts", "bin"));

        var error = Assert.Throws<FileNotFoundException>(() => new MeshBinaries(null, _root, "debug").Resolve("meshnet-proxy"));

        Assert.Equal(
            $"meshnet-proxy.dll not found (searched {Path.Combine(_root, "artifacts", "bin", "*", "debug|release")}); build it first or set MESHNET_BIN_DIR.",
            error.Message);
    }

    [Theory]
    [InlineData("/repo/artifacts/bin/MeshNet.Cli/release/", "release")]
    [InlineData("/repo/artifacts/bin/MeshNet.Cli/debug/", "debug")]
    [InlineData("/opt/meshctl/", "debug")]
    public void Infers_ConfigurationFromTheOutputPath(string baseDirectory, string expected)
    {
        Assert.Equal(expected, MeshBinaries.ConfigurationOf(baseDirectory));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Create(string relative)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Empty);
        return path;
    }
}

using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Local;

public sealed class ControlPlaneSettingsTests
{
    [Fact]
    public void Parses_TheReadyLineIntoGrpcAndAdminUrls()
    {
        var (grpc, admin) = ControlPlaneSettings.ParseReadyLine("meshnet-control ready grpc=127.0.0.1:40001 admin=127.0.0.1:40002");

        Assert.Equal("http://127.0.0.1:40001/", grpc.ToString());
        Assert.Equal("http://127.0.0.1:40002/", admin.ToString());
    }

    [Fact]
    public void Rejects_AReadyLineWithoutAdmin()
    {
        var error = Assert.Throws<FormatException>(() => ControlPlaneSettings.ParseReadyLine("meshnet-control ready grpc=127.0.0.1:1"));

        Assert.Equal("control-plane ready line lacks grpc= or admin=: 'meshnet-control ready grpc=127.0.0.1:1'", error.Message);
    }

    [Fact]
    public void Builds_ArgumentsWithPortZeroByDefault()
    {
        Assert.Equal(
            ["--config", "/m", "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0"],
            new ControlPlaneSettings("/m").ToArguments());
    }
}

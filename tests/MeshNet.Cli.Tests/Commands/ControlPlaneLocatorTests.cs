using MeshNet.Cli.Commands;
using MeshNet.Cli.Local.Netns;

namespace MeshNet.Cli.Tests.Commands;

public sealed class ControlPlaneLocatorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mnt-locator-" + Guid.NewGuid().ToString("N")[..8]);

    private string StateFile => Path.Combine(_dir, "up-state.json");

    [Fact]
    public void Prefers_Flag_ThenEnvironment_ThenRunningUp_ThenDefault()
    {
        new NetnsState { OwnerPid = 1, ControlPlaneAdmin = "http://10.244.0.1:40123/" }.Save(StateFile);
        var flag = new Uri("http://127.0.0.1:1111/");

        Assert.Equal(flag, ControlPlaneLocator.Resolve(flag, "http://127.0.0.1:2222/", StateFile));
        Assert.Equal(new Uri("http://127.0.0.1:2222/"), ControlPlaneLocator.Resolve(null, "http://127.0.0.1:2222/", StateFile));
        Assert.Equal(new Uri("http://10.244.0.1:40123/"), ControlPlaneLocator.Resolve(null, null, StateFile));
        Assert.Equal(ControlPlaneLocator.Default, ControlPlaneLocator.Resolve(null, "", Path.Combine(_dir, "absent.json")));
    }

    [Fact]
    public void FallsBackToDefault_WhenTheStateFileIsUnreadable()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(StateFile, "{ not json");

        Assert.Equal(ControlPlaneLocator.Default, ControlPlaneLocator.Resolve(null, null, StateFile));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}

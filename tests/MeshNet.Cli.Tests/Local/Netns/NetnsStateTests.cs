using MeshNet.Cli.Local.Netns;

namespace MeshNet.Cli.Tests.Local.Netns;

public sealed class NetnsStateTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mnt-state-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void RoundTrips_ThroughTheStateFile()
    {
        var path = Path.Combine(_dir, "up-state.json");
        var state = new NetnsState { OwnerPid = 42, Bridge = "meshnet0", Namespaces = ["mn-a"], Links = ["meshnet0", "mnh0"], Pids = [7, 8] };
        state.RootRules.Add(["FORWARD", "-i", "meshnet0", "-o", "meshnet0", "-j", "ACCEPT"]);

        state.Save(path);
        var loaded = NetnsState.Load(path);

        Assert.NotNull(loaded);
        Assert.Equal(42, loaded.OwnerPid);
        Assert.Equal(["mn-a"], loaded.Namespaces);
        Assert.Equal(["meshnet0", "mnh0"], loaded.Links);
        Assert.Equal([7, 8], loaded.Pids);
        Assert.Equal(["FORWARD", "-i", "meshnet0", "-o", "meshnet0", "-j", "ACCEPT"], Assert.Single(loaded.RootRules));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Teardown_ToleratesWhatIsAlreadyGone_AndRemovesItsFiles()
    {
        var path = Path.Combine(_dir, "up-state.json");
        var run = Path.Combine(_dir, "run");
        Directory.CreateDirectory(Path.Combine(run, "control-plane"));
        var state = new NetnsState
        {
            Bridge = "mnt-nonebr",
            RunDirectory = run,
            Namespaces = ["mnt-none-ns"],
            Links = ["mnt-nonebr", "mnt-noneh0"],
        };
        state.Save(path);

        NetnsTeardown.Run(state, path, TextWriter.Null);

        Assert.False(Directory.Exists(run));
        Assert.False(File.Exists(path));
        Assert.Null(NetnsState.Load(path));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}

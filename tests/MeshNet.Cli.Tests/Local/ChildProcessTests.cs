using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Local;

public sealed class ChildProcessTests : IDisposable
{
    private readonly string _logPath = Path.Combine(Path.GetTempPath(), $"meshctl-child-{Guid.NewGuid():N}.log");
    private readonly ProcessLog _log;

    public ChildProcessTests()
    {
        _log = new ProcessLog(_logPath, echo: null, TimeProvider.System);
    }

    [Fact]
    public async Task Reports_TheReadyLineAndPrefixesOutputInTheLog()
    {
        using var child = ChildProcess.Start(Shell("pod-a", "echo starting; echo 'thing ready port=1'; echo oops >&2; exec sleep 60"), _log, "thing ready");

        var line = await child.Ready.WaitAsync(TimeSpan.FromSeconds(10));
        child.Kill();
        await child.Exited.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("thing ready port=1", line);
        var log = File.ReadAllLines(_logPath);
        Assert.Contains(log, l => l.EndsWith(" pod-a | starting", StringComparison.Ordinal));
        Assert.Contains(log, l => l.EndsWith(" pod-a | stderr: oops", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fails_ReadyWhenTheProcessExitsFirst()
    {
        using var child = ChildProcess.Start(Shell("pod-b", "echo not yet; exit 3"), _log, "thing ready");

        var error = await Assert.ThrowsAsync<ChildExitedException>(() => child.Ready.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("pod-b exited with code 3", error.Message);
        Assert.Equal(3, await child.Exited);
    }

    [Fact]
    public async Task Kills_TheWholeProcessTree()
    {
        using var child = ChildProcess.Start(Shell("pod-c", "sleep 60 & echo \"grandchild $!\"; wait"), _log, "grandchild");
        var grandchild = int.Parse((await child.Ready.WaitAsync(TimeSpan.FromSeconds(10))).Split(' ')[1]);

        child.Kill();
        await child.Exited.WaitAsync(TimeSpan.FromSeconds(10));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Directory.Exists($"/proc/{grandchild}") && !IsZombie(grandchild) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(!Directory.Exists($"/proc/{grandchild}") || IsZombie(grandchild), $"grandchild {grandchild} survived");
    }

    [Fact]
    public async Task Runs_EachChildInItsOwnSession_SoATerminalCtrlCReachesOnlyMeshctl()
    {
        using var child = ChildProcess.Start(Shell("pod-d", "echo \"ids $$ $(cut -d' ' -f6 /proc/$$/stat)\"; exec sleep 60"), _log, "ids");

        var ids = (await child.Ready.WaitAsync(TimeSpan.FromSeconds(10))).Split(' ');

        Assert.Equal(child.Id.ToString(), ids[1]);
        Assert.Equal(ids[1], ids[2]);
    }

    public void Dispose()
    {
        _log.Dispose();
        File.Delete(_logPath);
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z";
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static ProcessSpec Shell(string source, string script) => new(source, "/bin/sh", ["-c", script], []);
}

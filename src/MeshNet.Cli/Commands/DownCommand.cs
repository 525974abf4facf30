using MeshNet.Cli.Local.Netns;
using MeshNet.Cli.Output;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl down`: stops a netns-mode `up` and removes everything it created, from its state file. The running
/// `up` is asked to stop first (it cleans up itself); whatever is left, as after a crash, is removed here.
/// </summary>
internal sealed class DownCommand(string stateFile, TextWriter output, TextWriter progress, bool interactive, TimeProvider time)
{
    private static readonly TimeSpan OwnerExitTimeout = TimeSpan.FromSeconds(30);

    public async Task<int> RunAsync()
    {
        var state = NetnsState.Load(stateFile);
        if (state is null)
        {
            output.WriteLine($"meshctl down: nothing to do ({stateFile} does not exist)");
            return 0;
        }

        await StopOwnerAsync(state.OwnerPid).ConfigureAwait(false);
        state = NetnsState.Load(stateFile);
        if (state is null)
        {
            output.WriteLine("meshctl down: meshctl up stopped and removed everything");
            return 0;
        }

        NetnsTeardown.Run(state, stateFile, output);
        output.WriteLine($"meshctl down: removed {state.Namespaces.Count} namespaces, {state.Links.Count} links and the state file");
        return 0;
    }

    private async Task StopOwnerAsync(int pid)
    {
        try
        {
            using var owner = System.Diagnostics.Process.GetProcessById(pid);
            if (pid == Environment.ProcessId || owner.ProcessName is not ("dotnet" or "meshctl"))
            {
                return;
            }

            output.WriteLine($"meshctl down: stopping meshctl up (pid {pid})");
            HostCommand.TryRun("kill", "-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await using var wait = WaitIndicator.Start(progress, interactive, "meshctl down: ", "waiting for meshctl up to stop its processes", time);
            using var timeout = new CancellationTokenSource(OwnerExitTimeout, time);
            try
            {
                await owner.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                owner.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Not running: it crashed, so its leftovers are ours to remove.
        }
    }
}

using System.Diagnostics;
using System.Globalization;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>Stops a meshctl the way a user's Ctrl-C would, so it stops its own children; kills it if it hangs.</summary>
internal static class Terminate
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    public static async Task GracefullyAsync(Process process)
    {
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term!.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(Grace);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }
}

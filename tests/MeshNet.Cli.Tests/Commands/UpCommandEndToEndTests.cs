using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MeshNet.Cli.Tests.Commands;

/// <summary>`meshctl up` as a real process: it runs the blog until SIGTERM, then leaves no process behind.</summary>
public sealed partial class UpCommandEndToEndTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(8);

    [Fact]
    public void Up_StopsEveryProcessItStarted_OnSigterm()
    {
        var podNetwork = $"127.{Random.Shared.Next(16, 250)}.1.0";
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "meshctl.dll"), "up", TestPaths.BlogSample, "--pod-network", podNetwork, "--mode", "loopback" })
        {
            info.ArgumentList.Add(argument);
        }

        using var meshctl = new Process { StartInfo = info };
        using var lines = new BlockingCollection<string>();
        var stderr = new ConcurrentQueue<string>();
        meshctl.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                lines.CompleteAdding();
            }
            else
            {
                lines.Add(e.Data);
            }
        };
        meshctl.ErrorDataReceived += (_, e) => stderr.Enqueue(e.Data ?? string.Empty);
        meshctl.Start();
        meshctl.BeginOutputReadLine();
        meshctl.BeginErrorReadLine();

        var output = new List<string>();
        int[] children;
        var deadline = Stopwatch.StartNew();
        try
        {
            while (deadline.Elapsed < Deadline && !lines.IsCompleted)
            {
                if (!lines.TryTake(out var line, TimeSpan.FromSeconds(1)))
                {
                    continue;
                }

                output.Add(line);
                if (line.StartsWith("running;", StringComparison.Ordinal))
                {
                    break;
                }
            }

            Assert.True(output.Count > 0 && output[^1].StartsWith("running;", StringComparison.Ordinal),
                $"meshctl up never got running\nstdout:\n{string.Join('\n', output)}\nstderr:\n{string.Join('\n', stderr)}");
            Assert.Equal(9, output.Count(l => l.Contains(podNetwork[..^1], StringComparison.Ordinal)));
            // up waits for readiness before its tables, and names where the dashboard is.
            Assert.DoesNotContain(output, l => l.Contains("warning", StringComparison.Ordinal));
            Assert.Contains(output, l => l.StartsWith("dashboard: http://127.", StringComparison.Ordinal) && l.EndsWith("/ui/", StringComparison.Ordinal));
            Assert.Contains(stderr, l => l == "meshctl up: 9/9 pods ready");

            // The log names every child it started: the control plane, and an app and a sidecar per pod.
            var log = LogPath().Match(output[0]).Groups[1].Value;
            using (var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)))
            {
                children = [.. StartedPid().Matches(reader.ReadToEnd()).Select(m => int.Parse(m.Groups[1].Value))];
            }

            // The control plane, an app and a sidecar per pod, and the gateway for the frontend's LoadBalancer.
            Assert.Equal(20, children.Length);
            Assert.All(children, pid => Assert.True(IsRunning(pid), $"child {pid} is not running"));

            using (var kill = Process.Start("kill", ["-TERM", meshctl.Id.ToString()]))
            {
                kill.WaitForExit();
            }

            Assert.True(meshctl.WaitForExit(TimeSpan.FromMinutes(2)), "meshctl up did not exit after SIGTERM");
        }
        finally
        {
            if (!meshctl.HasExited)
            {
                meshctl.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(0, meshctl.ExitCode);
        Assert.DoesNotContain(children, IsRunning);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            // Field 3 of /proc/<pid>/stat is the state; a zombie has exited and only waits to be reaped.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\(logs: (.+)\)$")]
    private static partial Regex LogPath();

    [GeneratedRegex(@" \| started pid (\d+):")]
    private static partial Regex StartedPid();
}

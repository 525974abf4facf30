using System.Diagnostics;

namespace MeshNet.Cli.Local;

/// <summary>
/// A started child: its output lines go to the <see cref="ProcessLog"/>, <see cref="Ready"/> completes with the
/// first stdout line starting with the expected prefix (or fails when the process exits first), and
/// <see cref="Kill"/> takes down the whole process tree.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    // setsid(1) execs in place (the child is not a group leader), so the pid stays the program's own.
    private const string SetsidPath = "/usr/bin/setsid";

    private readonly Process _process;
    private readonly string? _readyPrefix;
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(ProcessSpec spec, Process process, string? readyPrefix)
    {
        Spec = spec;
        _process = process;
        _readyPrefix = readyPrefix;
        if (readyPrefix is null)
        {
            _ready.SetResult(string.Empty);
        }
    }

    public ProcessSpec Spec { get; }

    public int Id => _process.Id;

    /// <summary>The ready line; faults with <see cref="ChildExitedException"/> if the process exits before it.</summary>
    public Task<string> Ready => _ready.Task;

    /// <summary>Completes with the exit code when the process has exited and its output has been drained.</summary>
    public Task<int> Exited => _exited.Task;

    public static ChildProcess Start(ProcessSpec spec, ProcessLog log, string? readyPrefix)
    {
        // Each child leads its own session, so a terminal's Ctrl-C reaches meshctl alone and meshctl stops the
        // children in order, instead of all of them dying at once and looking like a crash.
        var detach = OperatingSystem.IsLinux() && File.Exists(SetsidPath);
        var info = new ProcessStartInfo(detach ? SetsidPath : spec.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (detach)
        {
            info.ArgumentList.Add(spec.FileName);
        }

        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(spec, process, readyPrefix);
        process.OutputDataReceived += (_, e) => child.OnOutput(log, e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => child.OnOutput(log, e.Data, isError: true);
        process.Exited += (_, _) => child.OnExited(log);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log.Write(spec.Source, $"started pid {process.Id}: {spec.FileName} {string.Join(' ', spec.Arguments)}");
        return child;
    }

    /// <summary>Kills the child and everything it started; safe to call more than once or after it exited.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited between the check and the kill.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void OnOutput(ProcessLog log, string? line, bool isError)
    {
        if (line is null)
        {
            return;
        }

        log.Write(Spec.Source, isError ? "stderr: " + line : line);
        if (!isError && _readyPrefix is not null && line.StartsWith(_readyPrefix, StringComparison.Ordinal))
        {
            _ready.TrySetResult(line);
        }
    }

    private void OnExited(ProcessLog log)
    {
        // The parameterless wait drains the redirected output before the exit is reported.
        _process.WaitForExit();
        var code = _process.ExitCode;
        log.Write(Spec.Source, $"exited with code {code}");
        _ready.TrySetException(new ChildExitedException(Spec.Source, code));
        _exited.TrySetResult(code);
    }
}

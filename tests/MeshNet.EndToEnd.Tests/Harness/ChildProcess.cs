using System.Diagnostics;
using System.Globalization;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>
/// One real process started as <c>dotnet &lt;dll&gt; args</c>: its output goes to the test log, its ready line is
/// awaited with a deadline, and disposing it kills the whole process tree whatever state the test is in.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    // Variables of the test host that would change how a child binds or dials, were it to inherit them.
    private static readonly string[] ScrubbedVariables =
    [
        "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS",
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy",
    ];

    private readonly Process _process;
    private readonly TestLog _log;
    private readonly string _program;
    private readonly TaskCompletionSource<ReadyLine> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(string name, string program, Process process, TestLog log)
    {
        Name = name;
        _program = program;
        _process = process;
        _log = log;
    }

    /// <summary>The name used in the test log, e.g. "backend-1/sidecar".</summary>
    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <param name="name">How the process appears in the test log.</param>
    /// <param name="program">The name in its ready line ("meshnet-proxy").</param>
    public static ChildProcess Start(string name, string program, string dll, IEnumerable<string> args, TestLog log)
    {
        // The SDK tells test hosts which dotnet runs them; the same one runs the programs under test.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var startInfo = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var variable in ScrubbedVariables)
        {
            startInfo.Environment.Remove(variable);
        }

        startInfo.Environment["DOTNET_NOLOGO"] = "1";

        // ASP.NET Core and YARP log every request at Information; the tests poll admin endpoints many times a second and
        // that noise would bury the lines that explain a failure (and cost CPU the processes under test need).
        startInfo.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        startInfo.Environment["Logging__LogLevel__Yarp"] = "Warning";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(name, program, process, log);
        process.OutputDataReceived += (_, e) => child.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnError(e.Data);
        process.Exited += (_, _) => child.OnExited();

        log.Note($"start {name}: dotnet {Path.GetFileName(dll)} {string.Join(' ', args)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the ready line; fails with the process's recent output if it exits or times out first.</summary>
    public async Task<ReadyLine> WaitForReadyAsync(TimeSpan timeout)
    {
        try
        {
            return await _ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"{Name} printed no '{_program} ready' line within {timeout.TotalSeconds}s.\n{_log.Tail()}");
        }
    }

    /// <summary>Kills the process and everything it started, and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped: nothing left to kill.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Write(Name, line);
        if (!_ready.Task.IsCompleted && ReadyLine.TryParse(_program, line, out var ready))
        {
            _ready.TrySetResult(ready!);
        }
    }

    private void OnError(string? line)
    {
        if (line is not null)
        {
            _log.Write(Name + ":err", line);
        }
    }

    private void OnExited()
    {
        var code = _process.ExitCode;
        _log.Note(string.Create(CultureInfo.InvariantCulture, $"{Name} exited with code {code}"));
        _ready.TrySetException(new InvalidOperationException(
            string.Create(CultureInfo.InvariantCulture, $"{Name} exited with code {code} before it was ready.\n{_log.Tail()}")));
    }
}

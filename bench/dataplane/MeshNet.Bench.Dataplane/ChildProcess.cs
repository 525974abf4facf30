using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MeshNet.Bench.Dataplane;

/// <summary>
/// A long-running process of the testbed (backend, proxy hop, control plane), optionally pinned with taskset. Its
/// output goes to a log file; every child is killed with its process tree when the run ends, also on failure.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private static readonly ConcurrentDictionary<int, ChildProcess> Live = new();
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _linesGate = new();
    private readonly List<string> _lines = [];
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];

    static ChildProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) => KillAll();
    }

    private ChildProcess(string name, string fileName, IEnumerable<string> arguments, string? cpus, string logDirectory,
        IDictionary<string, string>? environment)
    {
        Name = name;
        var start = new ProcessStartInfo
        {
            FileName = cpus is null ? fileName : "taskset",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // An empty working directory per process, as in a container: ASP.NET hosts watch their content root
            // (the working directory) recursively for appsettings changes, and a busy source tree there would
            // flood them with inotify events and skew every measurement.
            WorkingDirectory = Directory.CreateDirectory(Path.Combine(logDirectory, "cwd", name)).FullName,
        };
        if (cpus is not null)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(cpus);
            start.ArgumentList.Add(fileName);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        CommandLine = string.Join(' ', new[] { start.FileName }.Concat(start.ArgumentList));
        _log = new StreamWriter(Path.Combine(logDirectory, name + ".log")) { AutoFlush = true };
        _log.WriteLine("$ " + CommandLine);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Pid = _process.Id;
        Live[Pid] = this;
    }

    public string Name { get; }

    public string CommandLine { get; }

    // taskset execs the program, so this is the program's own pid (what /proc/PID/stat describes).
    public int Pid { get; }

    public bool HasExited => _process.HasExited;

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string? cpus,
        string logDirectory, IDictionary<string, string>? environment = null) =>
        new(name, fileName, arguments, cpus, logDirectory, environment);

    public static void KillAll()
    {
        foreach (var child in Live.Values)
        {
            child.Dispose();
        }
    }

    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_linesGate)
        {
            foreach (var line in _lines)
            {
                var match = regex.Match(line);
                if (match.Success)
                {
                    return match;
                }
            }
            _waiters.Add((regex, found));
        }
        var winner = await Task.WhenAny(found.Task, Task.Delay(timeout), _process.WaitForExitAsync());
        if (winner != found.Task)
        {
            throw new TimeoutException($"{Name}: no line matching '{pattern}' ({(HasExited ? "exited" : "timed out")}; see {Name}.log)");
        }
        return await found.Task;
    }

    public async Task WaitForPortAsync(string address, int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(address, port);
                return;
            }
            catch (SocketException)
            {
                if (HasExited || DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{Name}: nothing listens on {address}:{port} ({(HasExited ? "exited" : "timed out")}; see {Name}.log)");
                }
                // Polling with a deadline is how a harness waits for a foreign process to listen.
                await Task.Delay(100);
            }
        }
    }

    public void Dispose()
    {
        if (!Live.TryRemove(Pid, out _))
        {
            return;
        }
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_linesGate)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            if (_lines.Count < 1000)
            {
                _lines.Add(line);
            }
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var match = _waiters[i].Pattern.Match(line);
                if (match.Success)
                {
                    _waiters[i].Found.TrySetResult(match);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace MeshNet.Interception.Tests.Harness;

/// <summary>
/// `meshctl up DIR` in netns mode as a real process, with every name it creates under a random "mnt-XXXX" prefix,
/// its own bridge, pod CIDR and state file. Dispose stops it and runs `meshctl down` as a safety net, so nothing
/// is left behind even when a test fails halfway.
/// </summary>
public sealed class MeshctlUp : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly ConcurrentQueue<string> _output = new();

    private MeshctlUp(string directory, Process process)
    {
        Directory = directory;
        _process = process;
    }

    public string Directory { get; }

    public string Prefix { get; private init; } = string.Empty;

    public string Bridge => Prefix + "br";

    public string StateFile { get; private init; } = string.Empty;

    public int SecondOctet { get; private init; }

    public string Gateway => $"10.{SecondOctet}.0.1";

    public Uri ControlPlaneAdmin { get; private set; } = null!;

    /// <summary>Pod name to (namespace, IP), from the pod table.</summary>
    public Dictionary<string, (string Netns, string Address)> Pods { get; } = [];

    public List<string> Lines { get; } = [];

    public int ProcessId => _process.Id;

    public string Transcript => string.Join('\n', _output);

    public static async Task<MeshctlUp> StartAsync(string manifestDirectory)
    {
        var suffix = Guid.NewGuid().ToString("N")[..4];
        var prefix = "mnt-" + suffix;
        var octet = Random.Shared.Next(200, 240);
        var stateDir = Path.Combine(Path.GetTempPath(), prefix + "-state");
        var info = new ProcessStartInfo(Binaries.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Binaries.Meshctl, "up", manifestDirectory, "--mode", "netns", "--netns-prefix", prefix, "--bridge", prefix + "br",
            "--pod-cidr", $"10.{octet}.0.0/16", "--state-file", Path.Combine(stateDir, "up-state.json"),
        })
        {
            info.ArgumentList.Add(argument);
        }

        var up = new MeshctlUp(manifestDirectory, new Process { StartInfo = info })
        {
            Prefix = prefix,
            SecondOctet = octet,
            StateFile = Path.Combine(stateDir, "up-state.json"),
        };
        up._process.OutputDataReceived += (_, e) => up.OnLine(e.Data, "out");
        up._process.ErrorDataReceived += (_, e) => up.OnLine(e.Data, "err");
        up._process.Start();
        up._process.BeginOutputReadLine();
        up._process.BeginErrorReadLine();
        try
        {
            await up.ReadUntilRunningAsync();
            return up;
        }
        catch
        {
            await up.DisposeAsync();
            throw;
        }
    }

    /// <summary>Pids the run recorded (control plane, apps, sidecars): all must be gone after `down`.</summary>
    public IReadOnlyList<int> RecordedPids()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(StateFile));
        return [.. json.RootElement.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32())];
    }

    public async Task<(int Code, string Output)> DownAsync()
    {
        var (code, stdout, stderr) = await HostShell.TryRunAsync(Binaries.DotnetHost, Binaries.Meshctl, "down", "--state-file", StateFile);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (code, stdout + stderr);
    }

    /// <summary>Simulates a crash of `up`: only meshctl dies; its children (own sessions) and the network stay.</summary>
    public async Task KillUpOnlyAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(StateFile))
        {
            await HostShell.TryRunAsync(Binaries.DotnetHost, Binaries.Meshctl, "down", "--state-file", StateFile);
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        var stateDir = Path.GetDirectoryName(StateFile)!;
        if (System.IO.Directory.Exists(stateDir))
        {
            System.IO.Directory.Delete(stateDir, recursive: true);
        }
    }

    private void OnLine(string? line, string stream)
    {
        if (line is null)
        {
            if (stream == "out")
            {
                _lines.CompleteAdding();
            }

            return;
        }

        _output.Enqueue($"{stream}: {line}");
        if (stream == "out")
        {
            _lines.Add(line);
        }
    }

    private async Task ReadUntilRunningAsync()
    {
        var deadline = Stopwatch.StartNew();
        await Task.Run(() =>
        {
            while (deadline.Elapsed < StartTimeout && !_lines.IsCompleted)
            {
                if (!_lines.TryTake(out var line, TimeSpan.FromSeconds(1)))
                {
                    continue;
                }

                Lines.Add(line);
                Parse(line);
                if (line.StartsWith("running;", StringComparison.Ordinal))
                {
                    return;
                }
            }

            throw new TimeoutException($"meshctl up never got running:\n{Transcript}");
        });
    }

    private void Parse(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (line.StartsWith("control plane", StringComparison.Ordinal))
        {
            ControlPlaneAdmin = new Uri(fields[^1]);
        }
        else if (fields.Length == 4 && fields[3].StartsWith(Prefix + "-", StringComparison.Ordinal))
        {
            Pods[fields[0]] = (fields[3], fields[2]);
        }
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

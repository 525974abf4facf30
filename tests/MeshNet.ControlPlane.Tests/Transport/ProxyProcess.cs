using System.Diagnostics;
using System.Threading.Channels;

namespace MeshNet.ControlPlane.Tests.Transport;

/// <summary>
/// A real meshnet-proxy process (built next to this test's configuration, or from MESHNET_BIN_DIR), its stdout ready
/// line and its stderr log lines as they come.
/// </summary>
internal sealed class ProxyProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _stderr = Channel.CreateUnbounded<string>();

    private ProxyProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _stderr.Writer.TryWrite(line);
            }
        };
        _process.BeginErrorReadLine();
    }

    public static ProxyProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return new ProxyProcess(Process.Start(info)!);
    }

    public async Task<string?> ReadLineAsync(TimeSpan timeout) => await _process.StandardOutput.ReadLineAsync().WaitAsync(timeout);

    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>The first stderr line containing <paramref name="text"/>; throws after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLogAsync(string text, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await foreach (var line in _stderr.Reader.ReadAllAsync(deadline.Token))
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException("stderr closed");
    }

    /// <summary>meshnet-proxy.dll: $MESHNET_BIN_DIR, else artifacts/bin/MeshNet.Proxy/&lt;this configuration&gt;.</summary>
    private static string DllPath()
    {
        if (Environment.GetEnvironmentVariable("MESHNET_BIN_DIR") is { Length: > 0 } overridden)
        {
            return Path.Combine(overridden, "meshnet-proxy.dll");
        }

        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MeshNet.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, "MeshNet.sln not found above the test's directory");
        var mine = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "release" : "debug";
        var candidates = new[] { mine, mine == "release" ? "debug" : "release" }
            .Select(c => Path.Combine(root!.FullName, "artifacts", "bin", "MeshNet.Proxy", c, "meshnet-proxy.dll"));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("meshnet-proxy.dll is not built: dotnet build src/MeshNet.Proxy");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}

using System.Globalization;

namespace MeshNet.Cli.Local;

/// <summary>
/// One file collecting every child's output, each line prefixed with its source (the pod name), so the console
/// stays readable; with --verbose the same lines are echoed to stderr.
/// </summary>
internal sealed class ProcessLog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly StreamWriter _file;
    private readonly TextWriter? _echo;
    private readonly TimeProvider _time;
    private bool _disposed;

    public ProcessLog(string path, TextWriter? echo, TimeProvider time)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _file = new StreamWriter(path, append: false) { AutoFlush = true };
        _echo = echo;
        _time = time;
        FilePath = path;
    }

    public string FilePath { get; }

    public void Write(string source, string line)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{_time.GetUtcNow():HH:mm:ss.fff} {source} | {line}");
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _file.WriteLine(text);
            _echo?.WriteLine(text);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _file.Dispose();
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>
/// One test's log: every child process's output and the harness's own notes, time-stamped from the test's
/// start, written to the xUnit output (shown with the test result) and kept for failure messages.
/// </summary>
internal sealed class TestLog(ITestOutputHelper output)
{
    private const int TailLines = 60;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Queue<string> _tail = new();
    private readonly Lock _gate = new();

    public void Write(string source, string line)
    {
        var stamped = string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,8:F3}s {source}] {line}");
        lock (_gate)
        {
            _tail.Enqueue(stamped);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }

        try
        {
            output.WriteLine(stamped);
        }
        catch (InvalidOperationException)
        {
            // The test has finished (output arriving from a process being torn down): nobody is listening.
        }
    }

    public void Note(string line) => Write("test", line);

    /// <summary>The last lines logged, for an exception message when a process misbehaves.</summary>
    public string Tail()
    {
        lock (_gate)
        {
            return string.Join(Environment.NewLine, _tail);
        }
    }
}

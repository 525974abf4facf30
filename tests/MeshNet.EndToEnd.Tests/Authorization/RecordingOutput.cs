using System.Collections.Concurrent;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace MeshNet.EndToEnd.Tests.Authorization;

/// <summary>
/// The test's output, kept as well as passed on: every child process's lines reach the test log through it, so a
/// test can wait for what a sidecar logged (the denial line naming the policy and the caller).
/// </summary>
internal sealed class RecordingOutput(ITestOutputHelper inner) : ITestOutputHelper
{
    private readonly ConcurrentQueue<string> _lines = new();

    public void WriteLine(string message)
    {
        _lines.Enqueue(message);
        inner.WriteLine(message);
    }

    public void WriteLine(string format, params object[] args) => WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

    /// <summary>
    /// Waits for a line logged by <paramref name="source"/> (a process name such as "posts-1/sidecar") that contains
    /// every fragment (the sidecar logs one line per event).
    /// </summary>
    public async Task<string> WaitForLineAsync(string source, TimeSpan timeout, params string[] fragments)
    {
        var (line, _) = await Poll.UntilAsync(
            () => Task.FromResult(Find(source, fragments)),
            found => found is not null,
            timeout,
            $"{source} logs a line with [{string.Join(", ", fragments)}]");
        return line!;
    }

    private string? Find(string source, string[] fragments) =>
        _lines.FirstOrDefault(l => l.Contains(" " + source, StringComparison.Ordinal)
            && fragments.All(f => l.Contains(f, StringComparison.Ordinal)));
}

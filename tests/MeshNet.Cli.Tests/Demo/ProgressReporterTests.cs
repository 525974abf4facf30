using MeshNet.Cli.Demo;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.Cli.Tests.Demo;

public sealed class ProgressReporterTests
{
    [Fact]
    public void Formats_AProgressLine()
    {
        Assert.Equal(
            "  2.5s/20s      120 requests   99.17 % ok  p50 3.25 ms",
            ProgressReporter.Format(TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(20), 120, 119, 3.25));
    }

    [Fact]
    public async Task Writes_PlainLinesEveryFiveSeconds_WhenNotATerminal()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var recorder = new DemoRecorder();
        recorder.Record(DemoOutcome.Failed(TimeSpan.FromMilliseconds(2), "x"));
        using var stop = new CancellationTokenSource();

        var run = new ProgressReporter(output, interactive: false, time).RunAsync(recorder, TimeSpan.FromSeconds(20), stop.Token);
        time.Advance(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await run;

        Assert.Equal(
            "  5.0s/20s        1 requests    0.00 % ok  p50 2.00 ms\n 10.0s/20s        1 requests    0.00 % ok  p50 2.00 ms\n",
            output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}

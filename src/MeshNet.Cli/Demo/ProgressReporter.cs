using System.Globalization;

namespace MeshNet.Cli.Demo;

/// <summary>
/// Shows how the demo is going: on a terminal one line rewritten in place a few times a second, when redirected
/// a plain line every few seconds (a log should not fill with carriage returns).
/// </summary>
internal sealed class ProgressReporter(TextWriter output, bool interactive, TimeProvider time)
{
    private static readonly TimeSpan InteractiveInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PipedInterval = TimeSpan.FromSeconds(5);

    public async Task RunAsync(DemoRecorder recorder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        using var timer = new PeriodicTimer(interactive ? InteractiveInterval : PipedInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Write(recorder, time.GetElapsedTime(start), duration);
            }
        }
        catch (OperationCanceledException)
        {
            // The traffic is over.
        }

        if (interactive)
        {
            output.Write('\r' + new string(' ', 79) + '\r');
        }
    }

    public static string Format(TimeSpan elapsed, TimeSpan duration, int requests, int succeeded, double p50Ms)
    {
        var rate = requests == 0 ? 0 : 100.0 * succeeded / requests;
        return string.Create(CultureInfo.InvariantCulture,
            $"{Math.Min(elapsed.TotalSeconds, duration.TotalSeconds),5:0.0}s/{duration.TotalSeconds:0}s  {requests,7} requests  {rate,6:0.00} % ok  p50 {p50Ms:0.00} ms");
    }

    private void Write(DemoRecorder recorder, TimeSpan elapsed, TimeSpan duration)
    {
        var (requests, succeeded, p50) = recorder.Snapshot();
        var line = Format(elapsed, duration, requests, succeeded, p50);
        if (interactive)
        {
            output.Write('\r' + line);
        }
        else
        {
            output.WriteLine(line);
        }

        output.Flush();
    }
}

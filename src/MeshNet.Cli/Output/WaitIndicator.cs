using System.Globalization;
using System.Text;

namespace MeshNet.Cli.Output;

/// <summary>
/// Shows that meshctl is waiting, and on what. On a terminal: one spinner line with the status and the seconds
/// waited, redrawn in place and erased when the wait ends. Piped or in a log: each new status once, as a plain line,
/// so a log says what was waited for without filling with redraws.
/// </summary>
internal sealed class WaitIndicator : IAsyncDisposable
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(100);
    private static readonly string[] UnicodeFrames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    private static readonly string[] AsciiFrames = ["|", "/", "-", "\\"];

    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly TimeProvider _time;
    private readonly string _prefix;
    private readonly string[] _frames;
    private readonly long _started;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _drawing;
    private string _status;
    private int _drawnWidth;
    private int _frame;

    private WaitIndicator(TextWriter output, bool interactive, string prefix, string status, TimeProvider time)
    {
        _output = output;
        _interactive = interactive;
        _prefix = prefix;
        _status = status;
        _time = time;
        _frames = output.Encoding is UTF8Encoding or UnicodeEncoding ? UnicodeFrames : AsciiFrames;
        _started = time.GetTimestamp();
        if (interactive)
        {
            _drawing = DrawAsync(_stop.Token);
        }
        else
        {
            WriteLine(status);
            _drawing = Task.CompletedTask;
        }
    }

    /// <param name="prefix">Put before every line, e.g. "meshctl up: ".</param>
    /// <param name="interactive">True on a terminal (see <see cref="IsTerminal"/>).</param>
    public static WaitIndicator Start(TextWriter output, bool interactive, string prefix, string status, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        return new WaitIndicator(output, interactive, prefix, status, time);
    }

    /// <summary>Standard error is a terminal that can redraw a line (not redirected, TERM not "dumb").</summary>
    public static bool IsTerminal() => !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>What is being waited for now (e.g. "5/9 pods ready").</summary>
    public void Update(string status)
    {
        lock (_gate)
        {
            if (status == _status)
            {
                return;
            }

            _status = status;
            if (!_interactive)
            {
                WriteLine(status);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _drawing.ConfigureAwait(false);
        _stop.Dispose();
        if (_interactive)
        {
            lock (_gate)
            {
                _output.Write('\r' + new string(' ', _drawnWidth) + '\r');
                _output.Flush();
            }
        }
    }

    private async Task DrawAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Frame, _time);
        try
        {
            do
            {
                Draw();
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // The wait is over.
        }
    }

    private void Draw()
    {
        lock (_gate)
        {
            var seconds = _time.GetElapsedTime(_started).TotalSeconds;
            var line = string.Create(CultureInfo.InvariantCulture, $"{_frames[_frame++ % _frames.Length]} {_prefix}{_status} ({seconds:0}s)");
            // Pad over what the last, possibly longer, line left behind.
            _output.Write('\r' + line.PadRight(_drawnWidth));
            _drawnWidth = Math.Max(_drawnWidth, line.Length);
            _output.Flush();
        }
    }

    private void WriteLine(string status)
    {
        _output.WriteLine(_prefix + status);
        _output.Flush();
    }
}

using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using HdrHistogram;

namespace MeshNet.Bench.LoadGen;

/// <summary>
/// Sends requests on a fixed schedule from one dedicated thread. A request whose time has come but finds no idle
/// connection waits in a queue; its latency still counts from its intended time, so queueing is measured, not hidden.
/// </summary>
internal sealed partial class OpenLoopRunner
{
    private readonly Lock _gate = new();
    private readonly Stack<Http1Connection> _idle = new();
    private readonly Queue<long> _pending = new();
    private readonly List<Http1Connection> _connections = [];
    private long _windowStart;
    private long _windowEnd;
    private long _outstanding;
    private long _errors;
    private long _scheduled;
    private volatile bool _stopped;

    public bool Stopped => _stopped;

    public static Task<LoadGenResult> RunAsync(LoadGenOptions options) =>
        Task.Factory.StartNew(() => new OpenLoopRunner().Run(options), TaskCreationOptions.LongRunning);

    public bool InWindow(long intended) => intended >= _windowStart && intended < _windowEnd;

    public void OnIdle(Http1Connection connection, long finishedIntended)
    {
        Interlocked.Decrement(ref _outstanding);
        Next(connection);
    }

    public void OnError(Http1Connection connection, long intended)
    {
        if (InWindow(intended))
        {
            Interlocked.Increment(ref _errors);
        }
        Interlocked.Decrement(ref _outstanding);
        Next(connection);
    }

    private void Next(Http1Connection connection)
    {
        long next;
        lock (_gate)
        {
            if (!_pending.TryDequeue(out next))
            {
                _idle.Push(connection);
                return;
            }
        }
        connection.Send(next);
    }

    private void Dispatch(long intended)
    {
        Interlocked.Increment(ref _outstanding);
        Http1Connection? connection;
        lock (_gate)
        {
            if (!_idle.TryPop(out connection))
            {
                _pending.Enqueue(intended);
                return;
            }
        }
        connection.Send(intended);
    }

    private LoadGenResult Run(LoadGenOptions options)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(options.Target.Host), options.Target.Port);
        var request = Encoding.ASCII.GetBytes(
            $"GET {options.Target.PathAndQuery} HTTP/1.1\r\nHost: {options.Host}\r\nUser-Agent: meshnet-bench-loadgen\r\n\r\n");
        for (var i = 0; i < options.Connections; i++)
        {
            var connection = new Http1Connection(endpoint, request, this);
            _connections.Add(connection);
            _idle.Push(connection);
        }
        foreach (var connection in _connections)
        {
            connection.Start();
        }

        var frequency = (double)Stopwatch.Frequency;
        var interval = frequency / options.Rate;
        var start = Stopwatch.GetTimestamp();
        _windowStart = start + (long)(options.Warmup.TotalSeconds * frequency);
        _windowEnd = _windowStart + (long)(options.Duration.TotalSeconds * frequency);
        Thread.CurrentThread.Priority = ThreadPriority.Highest;

        for (long i = 0; ; i++)
        {
            var intended = start + (long)(i * interval);
            if (intended >= _windowEnd)
            {
                break;
            }
            WaitUntil(intended, frequency);
            if (InWindow(intended))
            {
                _scheduled++;
            }
            Dispatch(intended);
        }

        var drainDeadline = Stopwatch.GetTimestamp() + (long)(options.DrainTimeout.TotalSeconds * frequency);
        while (Interlocked.Read(ref _outstanding) > 0 && Stopwatch.GetTimestamp() < drainDeadline)
        {
            Thread.Sleep(10);
        }
        _stopped = true;

        var histogram = new LongHistogram(TimeSpan.FromSeconds(60).Ticks * 100, 3);
        long completed = 0, non2xx = 0;
        var used = 0;
        lock (_gate)
        {
            foreach (var connection in _connections)
            {
                connection.Close();
                histogram.Add(connection.Histogram);
                completed += connection.Completed;
                non2xx += connection.Non2xx;
                used += connection.Used ? 1 : 0;
            }
        }

        var errors = Interlocked.Read(ref _errors);
        static double Us(long ns) => ns / 1000.0;
        return new LoadGenResult(
            options.Rate,
            options.Duration.TotalSeconds,
            _scheduled,
            completed,
            non2xx,
            errors,
            Math.Max(0, _scheduled - completed - errors),
            completed / options.Duration.TotalSeconds,
            Us(histogram.GetValueAtPercentile(50)),
            Us(histogram.GetValueAtPercentile(90)),
            Us(histogram.GetValueAtPercentile(99)),
            Us(histogram.GetValueAtPercentile(99.9)),
            Us(histogram.GetMaxValue()),
            histogram.TotalCount == 0 ? 0 : histogram.GetMean() / 1000.0,
            used);
    }

    // Sleeps in usleep(3) steps (Linux timer slack is ~50 us) and spins only for the last stretch.
    private static void WaitUntil(long timestamp, double frequency)
    {
        while (true)
        {
            var remainingUs = (timestamp - Stopwatch.GetTimestamp()) * 1_000_000 / frequency;
            if (remainingUs <= 0)
            {
                return;
            }
            if (remainingUs > 80)
            {
                _ = USleep((uint)Math.Min(remainingUs - 60, 5000));
            }
            else
            {
                Thread.SpinWait(20);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint microseconds);
}

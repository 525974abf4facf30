using System.Globalization;

namespace MeshNet.Bench.Dataplane;

/// <summary>CPU time and resident memory of processes, read from /proc (proc(5)).</summary>
internal static class ProcStats
{
    // USER_HZ is 100 on every mainstream Linux build; /proc/PID/stat counts in these ticks.
    private const double MicrosecondsPerTick = 1_000_000.0 / 100;

    /// <summary>utime + stime of the process (its own threads), in microseconds.</summary>
    public static double CpuMicroseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the parenthesised command name (which may contain spaces); utime and stime are fields 14 and 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) * MicrosecondsPerTick;
    }

    public static double CpuMicroseconds(IEnumerable<int> pids) => pids.Sum(CpuMicroseconds);

    /// <summary>VmRSS in MiB.</summary>
    public static double RssMiB(int pid) => Memory(pid).RssMiB;

    /// <summary>
    /// VmRSS and its private part (RssAnon + RssShmem: heap, stacks, JIT'd code) in MiB. The rest, RssFile, is mapped
    /// assemblies and libraries: page cache shared by every process on the node that maps the same files.
    /// </summary>
    public static (double RssMiB, double PrivateMiB) Memory(int pid)
    {
        long rss = 0, anon = 0, shmem = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kib(line);
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Kib(line);
            }
            else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
            {
                shmem = Kib(line);
            }
        }
        return (rss / 1024.0, (anon + shmem) / 1024.0);
    }

    private static long Kib(string line) =>
        long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
}

/// <summary>Samples the RSS of some processes every 200 ms while a load runs and keeps each one's maximum.</summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly IReadOnlyList<int> _pids;
    private readonly double[] _max;
    private readonly double[] _maxPrivate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RssSampler(IReadOnlyList<int> pids)
    {
        _pids = pids;
        _max = new double[pids.Count];
        _maxPrivate = new double[pids.Count];
        _loop = LoopAsync();
    }

    /// <summary>Maximum VmRSS and maximum private RSS of each process, in MiB.</summary>
    public async Task<(double[] Rss, double[] Private)> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Sample();
        return (_max, _maxPrivate);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                await Task.Delay(200, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Sample()
    {
        for (var i = 0; i < _pids.Count; i++)
        {
            try
            {
                var (rss, privateMiB) = ProcStats.Memory(_pids[i]);
                _max[i] = Math.Max(_max[i], rss);
                _maxPrivate[i] = Math.Max(_maxPrivate[i], privateMiB);
            }
            catch (IOException)
            {
                // The process is gone; the run reports it elsewhere.
            }
        }
    }
}

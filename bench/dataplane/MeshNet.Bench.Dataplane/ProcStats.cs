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
    public static double RssMiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kib / 1024.0;
            }
        }
        return 0;
    }
}

/// <summary>Samples the RSS of some processes every 200 ms while a load runs and keeps each one's maximum.</summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly IReadOnlyList<int> _pids;
    private readonly double[] _max;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RssSampler(IReadOnlyList<int> pids)
    {
        _pids = pids;
        _max = new double[pids.Count];
        _loop = LoopAsync();
    }

    public async Task<double[]> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Sample();
        return _max;
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
                _max[i] = Math.Max(_max[i], ProcStats.RssMiB(_pids[i]));
            }
            catch (IOException)
            {
                // The process is gone; the run reports it elsewhere.
            }
        }
    }
}

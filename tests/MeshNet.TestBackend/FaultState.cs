using System.Collections.Concurrent;
using System.Globalization;

namespace MeshNet.TestBackend;

/// <summary>
/// The fault settings in force and the outcome counters. Settings are swapped whole, so a request sees one
/// consistent set; counters are lock-free because every request touches them.
/// </summary>
internal sealed class FaultState(BackendOptions options)
{
    private readonly ConcurrentDictionary<int, long> _byStatus = new();
    private FaultSettings _settings = options.Faults;
    private long _requests;
    private long _failed;
    private long _hung;
    private long _reset;

    public FaultSettings Settings
    {
        get => Volatile.Read(ref _settings);
        set => Volatile.Write(ref _settings, value);
    }

    /// <summary>Counts one application request and returns its sequence number (0-based).</summary>
    public long CountRequest() => Interlocked.Increment(ref _requests) - 1;

    public void CountStatus(int status) => _byStatus.AddOrUpdate(status, 1, static (_, n) => n + 1);

    public void CountFailed() => Interlocked.Increment(ref _failed);

    public void CountHung() => Interlocked.Increment(ref _hung);

    public void CountReset() => Interlocked.Increment(ref _reset);

    /// <summary>
    /// Whether request number <paramref name="sequence"/> fails at <paramref name="rate"/>: error diffusion, so
    /// exactly round(n * rate) of any n consecutive requests fail and a test's counts do not depend on luck.
    /// </summary>
    public static bool Fails(long sequence, double rate) =>
        rate > 0 && Math.Floor((sequence + 1) * rate) > Math.Floor(sequence * rate);

    public BackendStats Snapshot()
    {
        var byStatus = _byStatus.ToDictionary(
            static s => s.Key.ToString(CultureInfo.InvariantCulture),
            static s => s.Value,
            StringComparer.Ordinal);
        var ok = _byStatus.Where(static s => s.Key is >= 200 and < 400).Sum(static s => s.Value);
        return new BackendStats(options.Name, Interlocked.Read(ref _requests), ok, Interlocked.Read(ref _failed), Interlocked.Read(ref _hung), Interlocked.Read(ref _reset), byStatus);
    }

    public void Clear()
    {
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _failed, 0);
        Interlocked.Exchange(ref _hung, 0);
        Interlocked.Exchange(ref _reset, 0);
        _byStatus.Clear();
    }
}

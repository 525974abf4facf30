namespace MeshNet.Proxy.Balancing;

/// <summary>
/// What the balancers know about one destination: requests in flight and a peak-sensitive moving average of its
/// latency. One instance per (cluster, destination) lives as long as the destination stays in the cluster, so new
/// route tables keep the history (see <see cref="ClusterBalancing"/>).
/// </summary>
/// <remarks>
/// The average follows Linkerd's PeakEwma (Finagle's PeakEwma, tower's balance::p2c + load::PeakEwma): a latency
/// above the average replaces it at once (peak), a lower one is blended in with weight 1 - e^(-Δt/τ), where Δt is
/// the time since the previous observation, and between observations the average decays toward zero with the same
/// time constant, so an endpoint nobody picks any more is eventually tried again.
/// </remarks>
internal sealed class DestinationStats
{
    /// <summary>τ = 10 s, Linkerd's default decay.</summary>
    public static readonly TimeSpan DecayTime = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A failed attempt is observed as taking at least this long, so an endpoint that fails fast does not attract
    /// traffic the way a fast one would. With τ = 10 s a 1 s peak against 5 ms peers stays costlier for about 53 s
    /// (10 s × ln(200)) unless the peers get busy; outlier detection, not the balancer, ejects for good.
    /// </summary>
    public static readonly TimeSpan FailurePenalty = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Cost of an endpoint with no observed latency yet and requests in flight (Finagle's "penalty"): it gets one
    /// probe at a time until the first response tells its real latency. In seconds, far above any real latency.
    /// </summary>
    private const double UnprobedPenalty = 1e6;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _decayTicks;
    private readonly double _secondsPerTick;
    private readonly long _failurePenaltyTicks;

    // Written under _gate; read without it (see Read). The estimate is in seconds; _observedAt is a TimeProvider
    // timestamp. _version is odd while a write is in progress and 0 until the first observation.
    private double _estimate;
    private long _observedAt;
    private long _version;

    private int _inFlight;

    public DestinationStats(TimeProvider time)
    {
        _time = time;
        _decayTicks = DecayTime.TotalSeconds * time.TimestampFrequency;
        _secondsPerTick = 1.0 / time.TimestampFrequency;
        _failurePenaltyTicks = (long)(FailurePenalty.TotalSeconds * time.TimestampFrequency);
    }

    public TimeProvider Time => _time;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Counts an attempt in flight; returns its start timestamp for <see cref="Complete"/>.</summary>
    public long Start()
    {
        Interlocked.Increment(ref _inFlight);
        return _time.GetTimestamp();
    }

    public void Complete(long startedAt, bool success)
    {
        var now = _time.GetTimestamp();
        Interlocked.Decrement(ref _inFlight);
        var elapsed = Math.Max(now - startedAt, 0);
        if (!success)
        {
            elapsed = Math.Max(elapsed, _failurePenaltyTicks);
        }

        Observe(elapsed * _secondsPerTick, now);
    }

    /// <summary>The latency average decayed to <paramref name="now"/>, in seconds; null before the first observation.</summary>
    public double? Estimate(long now)
    {
        var (estimate, observedAt, observed) = Read();
        return observed ? Decay(estimate, now - observedAt) : null;
    }

    /// <summary>PeakEwma's load: the decayed average × (in flight + 1). Lower is better.</summary>
    public double Cost(long now)
    {
        var (estimate, observedAt, observed) = Read();
        var pending = InFlight;
        if (!observed)
        {
            return pending == 0 ? 0 : UnprobedPenalty + pending;
        }

        return Decay(estimate, now - observedAt) * (pending + 1);
    }

    private void Observe(double rtt, long now)
    {
        lock (_gate)
        {
            var keep = _version != 0 ? Math.Exp(-Math.Max(now - _observedAt, 0) / _decayTicks) : 0;
            var decayed = _estimate * keep;
            var next = rtt >= decayed ? rtt : decayed + (rtt * (1 - keep));

            // Full fences around the writes: a reader that sees the same even version before and after its reads
            // read a consistent pair.
            Interlocked.Increment(ref _version);
            _estimate = next;
            _observedAt = now;
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>
    /// A consistent (estimate, timestamp) pair without taking the lock: two balancer reads per pick would otherwise
    /// contend with every completion (a seqlock; writers are serialised by <c>_gate</c> and never block on readers).
    /// </summary>
    private (double Estimate, long ObservedAt, bool Observed) Read()
    {
        var spinner = default(SpinWait);
        while (true)
        {
            var before = Volatile.Read(ref _version);
            if ((before & 1) == 0)
            {
                var estimate = Volatile.Read(ref _estimate);
                var observedAt = Volatile.Read(ref _observedAt);
                if (Volatile.Read(ref _version) == before)
                {
                    return (estimate, observedAt, before != 0);
                }
            }

            spinner.SpinOnce();
        }
    }

    private double Decay(double estimate, long elapsedTicks) =>
        elapsedTicks <= 0 ? estimate : estimate * Math.Exp(-elapsedTicks / _decayTicks);
}

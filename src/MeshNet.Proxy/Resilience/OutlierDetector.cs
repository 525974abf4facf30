using System.Collections.Concurrent;

namespace MeshNet.Proxy.Resilience;

/// <summary>
/// Consecutive-failure outlier detection for one cluster's destinations, after Envoy's: consecutive_5xx counts any
/// 5xx (including the 503/504 the proxy answers for a refused connection, a reset or a timeout),
/// consecutive_gateway_errors counts 502, 503, 504 and those connection failures; any other response resets both.
/// Reaching a threshold ejects the destination for base × 2^(earlier ejections), capped (see
/// <see cref="OutlierPolicy.EjectionTime"/>); each healthy <c>interval</c> after an ejection ended takes one doubling
/// back. Un-ejection is lazy: a destination is ejected while now is before its end time, read from the TimeProvider.
/// The percentage rule is Envoy's default one (without always_eject_one_host): a destination is ejected only if
/// ejected destinations, itself included, stay within max_ejection_percent of the cluster's destinations, so with
/// 3 destinations and 50 % one may be ejected, and with fewer than 10 destinations and 10 % none.
/// </summary>
internal sealed class OutlierDetector(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DestinationHealth> _destinations = new(StringComparer.Ordinal);
    private readonly Lock _ejectGate = new();

    // The latest ejection end of any destination: past it nothing is ejected and IsEjected needs no lookup.
    private long _lastEjectionEnd = long.MinValue;

    // Set once any destination has had a failure recorded: until then a success has no counters to reset.
    private volatile bool _anyFailures;

    public bool IsEjected(string destinationId)
    {
        // Asked on every pick: a detector that never ejected answers without reading the clock.
        var lastEjectionEnd = Volatile.Read(ref _lastEjectionEnd);
        if (lastEjectionEnd == long.MinValue)
        {
            return false;
        }

        var now = time.GetTimestamp();
        return now < lastEjectionEnd
            && _destinations.TryGetValue(destinationId, out var health)
            && now < health.EjectedUntil;
    }

    /// <summary>The destinations ejected now (for stats).</summary>
    public IReadOnlyList<string> Ejected()
    {
        var now = time.GetTimestamp();
        return _destinations.Where(d => now < d.Value.EjectedUntil).Select(d => d.Key).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Feeds one attempt's outcome; true when it ejected the destination.</summary>
    /// <param name="destinationCount">How many destinations the cluster has, for the percentage rule.</param>
    public bool Record(string destinationId, AttemptOutcome outcome, OutlierPolicy? policy, int destinationCount)
    {
        if (policy is null || outcome == AttemptOutcome.Abandoned)
        {
            return false;
        }

        if (outcome == AttemptOutcome.Success)
        {
            // The common case touches nothing shared beyond a lookup (none at all while nothing ever failed):
            // counters already at zero stay untouched.
            if (_anyFailures && _destinations.TryGetValue(destinationId, out var healthy))
            {
                healthy.ResetCounters();
            }

            return false;
        }

        var health = _destinations.GetOrAdd(destinationId, static _ => new DestinationHealth());
        _anyFailures = true;
        var gateway = outcome != AttemptOutcome.ServerError;
        var fiveHundreds = health.CountFailure(gateway, out var gatewayErrors);
        var tripped = (policy.Consecutive5xx != 0 && fiveHundreds >= policy.Consecutive5xx)
            || (policy.ConsecutiveGatewayErrors != 0 && gatewayErrors >= policy.ConsecutiveGatewayErrors);
        return tripped && TryEject(destinationId, health, policy, destinationCount);
    }

    /// <summary>Forgets destinations that left the cluster, so a returning address starts afresh.</summary>
    public void Retain(IReadOnlySet<string> destinationIds)
    {
        foreach (var id in _destinations.Keys)
        {
            if (!destinationIds.Contains(id))
            {
                _destinations.TryRemove(id, out _);
            }
        }
    }

    private bool TryEject(string destinationId, DestinationHealth health, OutlierPolicy policy, int destinationCount)
    {
        lock (_ejectGate)
        {
            var now = time.GetTimestamp();
            if (now < health.EjectedUntil)
            {
                // Already out (an attempt that was in flight when it was ejected).
                return false;
            }

            var ejected = _destinations.Values.Count(d => now < d.EjectedUntil);
            if ((ejected + 1) * 100L > (long)policy.MaxEjectionPercent * destinationCount)
            {
                return false;
            }

            var earlier = health.Multiplier;
            if (health.EjectedUntil != 0 && policy.Interval > TimeSpan.Zero)
            {
                // One doubling forgiven per healthy interval since the last ejection ended.
                var healthyFor = time.GetElapsedTime(health.EjectedUntil, now);
                earlier = (int)Math.Max(0, earlier - (healthyFor.Ticks / policy.Interval.Ticks));
            }

            var until = now + (long)(policy.EjectionTime(earlier).TotalSeconds * time.TimestampFrequency);
            health.Eject(until, earlier + 1);
            if (until > _lastEjectionEnd)
            {
                Volatile.Write(ref _lastEjectionEnd, until);
            }

            return true;
        }
    }

    private sealed class DestinationHealth
    {
        private int _consecutive5xx;
        private int _consecutiveGateway;
        private long _ejectedUntil;

        /// <summary>Timestamp (TimeProvider ticks) the current or last ejection ends; 0: never ejected.</summary>
        public long EjectedUntil => Volatile.Read(ref _ejectedUntil);

        /// <summary>Ejections counted toward the next ejection's length (written under the detector's lock).</summary>
        public int Multiplier { get; private set; }

        public void ResetCounters()
        {
            if (Volatile.Read(ref _consecutive5xx) != 0)
            {
                Interlocked.Exchange(ref _consecutive5xx, 0);
            }

            if (Volatile.Read(ref _consecutiveGateway) != 0)
            {
                Interlocked.Exchange(ref _consecutiveGateway, 0);
            }
        }

        /// <returns>Consecutive 5xx-class failures; <paramref name="gatewayErrors"/>: consecutive gateway errors.</returns>
        public int CountFailure(bool gateway, out int gatewayErrors)
        {
            if (gateway)
            {
                gatewayErrors = Interlocked.Increment(ref _consecutiveGateway);
            }
            else
            {
                // A plain 500 breaks a run of gateway errors.
                Interlocked.Exchange(ref _consecutiveGateway, 0);
                gatewayErrors = 0;
            }

            return Interlocked.Increment(ref _consecutive5xx);
        }

        public void Eject(long until, int multiplier)
        {
            Multiplier = multiplier;
            Interlocked.Exchange(ref _consecutive5xx, 0);
            Interlocked.Exchange(ref _consecutiveGateway, 0);
            Volatile.Write(ref _ejectedUntil, until);
        }
    }
}

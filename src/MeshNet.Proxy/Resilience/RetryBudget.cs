namespace MeshNet.Proxy.Resilience;

/// <summary>
/// Caps retries as a share of requests over a sliding 10 s window of ten 1 s buckets: a retry is allowed while
/// retries in the window stay within budget_percent of the requests in it, and the first budget_min_per_second
/// retries of every second are always allowed (so a quiet cluster can still retry). Both zero: no cap.
/// Counting is lock-free and approximate under races (a few retries over the line at most), which is what a budget
/// needs; a bucket is cleared under its lock when a new second reuses it.
/// </summary>
internal sealed class RetryBudget(TimeProvider time)
{
    private const int WindowSeconds = 10;

    private readonly Bucket[] _buckets = Enumerable.Range(0, WindowSeconds).Select(_ => new Bucket()).ToArray();
    private readonly long _origin = time.GetTimestamp();

    public void RecordRequest() => Interlocked.Increment(ref Current(Second()).Requests);

    /// <summary>Takes one retry from the budget, or returns false when the budget is spent.</summary>
    public bool TryWithdraw(ResiliencePolicy policy)
    {
        var second = Second();
        var current = Current(second);
        if (policy.BudgetPercent == 0 && policy.BudgetMinPerSecond == 0)
        {
            Interlocked.Increment(ref current.Retries);
            return true;
        }

        if (Interlocked.Read(ref current.Retries) < policy.BudgetMinPerSecond)
        {
            Interlocked.Increment(ref current.Retries);
            return true;
        }

        var (requests, retries) = Window(second);
        // (retries + 1) / requests <= percent / 100, in integers.
        if ((retries + 1) * 100 <= requests * policy.BudgetPercent)
        {
            Interlocked.Increment(ref current.Retries);
            return true;
        }

        return false;
    }

    /// <summary>Requests and retries counted in the last 10 s.</summary>
    public (long Requests, long Retries) Window() => Window(Second());

    private (long Requests, long Retries) Window(long second)
    {
        long requests = 0;
        long retries = 0;
        foreach (var bucket in _buckets)
        {
            var at = Volatile.Read(ref bucket.Second);
            if (at > second - WindowSeconds && at <= second)
            {
                requests += Interlocked.Read(ref bucket.Requests);
                retries += Interlocked.Read(ref bucket.Retries);
            }
        }

        return (requests, retries);
    }

    private long Second() => (long)time.GetElapsedTime(_origin).TotalSeconds;

    private Bucket Current(long second)
    {
        var bucket = _buckets[second % WindowSeconds];
        if (Volatile.Read(ref bucket.Second) != second)
        {
            lock (bucket)
            {
                if (bucket.Second != second)
                {
                    Interlocked.Exchange(ref bucket.Requests, 0);
                    Interlocked.Exchange(ref bucket.Retries, 0);
                    Volatile.Write(ref bucket.Second, second);
                }
            }
        }

        return bucket;
    }

    private sealed class Bucket
    {
        // -1: never used; fields are public so Interlocked can take them by reference.
        public long Second = -1;
        public long Requests;
        public long Retries;
    }
}

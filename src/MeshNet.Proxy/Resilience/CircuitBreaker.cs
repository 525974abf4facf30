namespace MeshNet.Proxy.Resilience;

/// <summary>
/// A cluster's concurrency limits. Admission increments first and backs out when over the limit, so it never blocks
/// or queues; under a race at the limit a request may be refused that a strict check would have let in, never the
/// other way round.
/// </summary>
internal sealed class CircuitBreaker
{
    private int _requests;
    private int _retries;

    public int ActiveRequests => Volatile.Read(ref _requests);

    public int ActiveRetries => Volatile.Read(ref _retries);

    /// <summary>
    /// Admits a request under max_requests and, when max_connections is set, under max_connections +
    /// max_pending_requests (requests beyond the connection limit wait in the connection pool: they are the pending ones).
    /// </summary>
    public bool TryEnterRequest(ResiliencePolicy policy)
    {
        var active = Interlocked.Increment(ref _requests);
        var overRequests = policy.MaxRequests != 0 && active > policy.MaxRequests;
        var overPending = policy.MaxConnections != 0 && policy.MaxPendingRequests != 0
            && active > (long)policy.MaxConnections + policy.MaxPendingRequests;
        if (overRequests || overPending)
        {
            Interlocked.Decrement(ref _requests);
            return false;
        }

        return true;
    }

    public void ExitRequest() => Interlocked.Decrement(ref _requests);

    /// <summary>Admits a retry under max_retries (retries in flight across the cluster).</summary>
    public bool TryEnterRetry(ResiliencePolicy policy)
    {
        var active = Interlocked.Increment(ref _retries);
        if (policy.MaxRetries != 0 && active > policy.MaxRetries)
        {
            Interlocked.Decrement(ref _retries);
            return false;
        }

        return true;
    }

    public void ExitRetry() => Interlocked.Decrement(ref _retries);
}

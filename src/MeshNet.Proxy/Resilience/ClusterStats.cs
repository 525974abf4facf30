namespace MeshNet.Proxy.Resilience;

/// <summary>
/// Every outcome the outbound path counts for one cluster, in one place (the admin <c>/stats</c> JSON reads them;
/// issue 7 turns them into metrics). Interlocked counters: written on the request path, read whenever.
/// </summary>
internal sealed class ClusterStats
{
    private long _requests;
    private long _attempts;
    private long _retries;
    private long _retryBudgetExhausted;
    private long _retryOverflows;
    private long _overflows;
    private long _requestTimeouts;
    private long _perTryTimeouts;
    private long _noHealthyEndpoints;
    private long _upstreamFailures;
    private long _ejections;

    /// <summary>Requests routed to the cluster (one per client request, retries excluded).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Attempts sent to a destination (first tries and retries).</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Retries refused by the retry budget (the client got the failure, labelled retry-budget-exhausted).</summary>
    public long RetryBudgetExhausted => Interlocked.Read(ref _retryBudgetExhausted);

    /// <summary>Retries refused by the circuit breaker's max_retries.</summary>
    public long RetryOverflows => Interlocked.Read(ref _retryOverflows);

    /// <summary>Requests refused by the circuit breaker (503 overloaded).</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>Requests that ran out of their whole-request timeout (504 upstream-timeout).</summary>
    public long RequestTimeouts => Interlocked.Read(ref _requestTimeouts);

    public long PerTryTimeouts => Interlocked.Read(ref _perTryTimeouts);

    /// <summary>Requests that found no destination to send to (503 no-healthy-endpoints).</summary>
    public long NoHealthyEndpoints => Interlocked.Read(ref _noHealthyEndpoints);

    /// <summary>Attempts that failed upstream: 5xx, refused connection, reset or timeout.</summary>
    public long UpstreamFailures => Interlocked.Read(ref _upstreamFailures);

    public long Ejections => Interlocked.Read(ref _ejections);

    public void CountRequest() => Interlocked.Increment(ref _requests);

    public void CountAttempt() => Interlocked.Increment(ref _attempts);

    public void CountRetry() => Interlocked.Increment(ref _retries);

    public void CountRetryBudgetExhausted() => Interlocked.Increment(ref _retryBudgetExhausted);

    public void CountRetryOverflow() => Interlocked.Increment(ref _retryOverflows);

    public void CountOverflow() => Interlocked.Increment(ref _overflows);

    public void CountRequestTimeout() => Interlocked.Increment(ref _requestTimeouts);

    public void CountPerTryTimeout() => Interlocked.Increment(ref _perTryTimeouts);

    public void CountNoHealthyEndpoints() => Interlocked.Increment(ref _noHealthyEndpoints);

    public void CountUpstreamFailure() => Interlocked.Increment(ref _upstreamFailures);

    public void CountEjection() => Interlocked.Increment(ref _ejections);
}

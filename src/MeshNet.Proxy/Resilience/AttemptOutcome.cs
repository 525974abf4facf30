namespace MeshNet.Proxy.Resilience;

/// <summary>How one attempt to one destination ended, as retries and outlier detection see it.</summary>
internal enum AttemptOutcome
{
    /// <summary>A response below 500.</summary>
    Success,

    /// <summary>A 5xx response other than 502, 503 and 504.</summary>
    ServerError,

    /// <summary>A 502, 503 or 504 response.</summary>
    GatewayError,

    /// <summary>No connection could be made.</summary>
    ConnectFailure,

    /// <summary>The connection or stream failed after it was made (reset, premature end, protocol error).</summary>
    Reset,

    /// <summary>The per-try timeout or the transport's idle timeout expired.</summary>
    Timeout,

    /// <summary>The client went away or the whole request's deadline passed: says nothing about the destination.</summary>
    Abandoned,
}

internal static class AttemptOutcomes
{
    public static AttemptOutcome ForStatus(int status) => status switch
    {
        502 or 503 or 504 => AttemptOutcome.GatewayError,
        >= 500 => AttemptOutcome.ServerError,
        _ => AttemptOutcome.Success,
    };

    /// <summary>What a balancer should learn: false for a connect failure, reset, timeout or 5xx.</summary>
    public static bool IsSuccess(this AttemptOutcome outcome) => outcome is AttemptOutcome.Success or AttemptOutcome.Abandoned;
}

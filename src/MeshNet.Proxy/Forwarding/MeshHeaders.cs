namespace MeshNet.Proxy.Forwarding;

/// <summary>Header names and the <c>x-meshnet-error</c> values the sidecar answers with.</summary>
internal static class MeshHeaders
{
    /// <summary>Set by the outbound sidecar toward a meshed endpoint: the app port the inbound sidecar delivers to.</summary>
    public const string TargetPort = "x-meshnet-target-port";

    public const string Error = "x-meshnet-error";

    public const string NoRoute = "no-route";
    public const string NoHealthyEndpoints = "no-healthy-endpoints";
    public const string BadTargetPort = "bad-target-port";
    public const string NoAppPort = "no-app-port";
    public const string UpstreamConnectFailure = "upstream-connect-failure";
    public const string UpstreamTimeout = "upstream-timeout";
    public const string UpstreamFailure = "upstream-failure";

    /// <summary>The circuit breaker refused the request (max_requests / max_pending_requests).</summary>
    public const string Overloaded = "overloaded";

    /// <summary>A retriable failure that the retry budget did not allow to be retried; the failure is what the client gets.</summary>
    public const string RetryBudgetExhausted = "retry-budget-exhausted";
}

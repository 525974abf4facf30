namespace MeshNet.ControlPlane.Stats;

/// <summary>The sidecar metrics the aggregator reads (the telemetry contract), and their label names.</summary>
internal static class SidecarMetricNames
{
    public const string Requests = "meshnet_requests_total";
    public const string DurationBucket = "meshnet_request_duration_seconds_bucket";

    public const string Direction = "direction";
    public const string SourceWorkload = "source_workload";
    public const string SourceNamespace = "source_namespace";
    public const string DestinationService = "destination_service";
    public const string DestinationNamespace = "destination_namespace";
    public const string Code = "code";
    public const string Tls = "tls";
    public const string UpperBound = "le";

    /// <summary>
    /// Stats are the client's view (a request counts for the Service it was routed to), so only outbound series are
    /// kept: inbound ones would count every meshed hop twice.
    /// </summary>
    public static bool IsKept(string name, LabelSet labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return (string.Equals(name, Requests, StringComparison.Ordinal) || string.Equals(name, DurationBucket, StringComparison.Ordinal))
            && string.Equals(labels[Direction], "outbound", StringComparison.Ordinal);
    }

    /// <summary>Success as Linkerd counts it: a response that is not 5xx. No response at all ("0") is a failure; 4xx is not.</summary>
    public static bool IsSuccess(string code) => code.Length == 3 && code[0] is >= '1' and <= '4';
}

namespace MeshNet.Proxy.Telemetry.Metrics;

/// <summary>The sidecar's metric and label names: a contract that the control plane's stats and meshctl read.</summary>
internal static class MetricNames
{
    public const string Requests = "meshnet_requests_total";
    public const string RequestDuration = "meshnet_request_duration_seconds";
    public const string TcpOpened = "meshnet_tcp_connections_opened_total";
    public const string TcpClosed = "meshnet_tcp_connections_closed_total";
    public const string TcpReceivedBytes = "meshnet_tcp_received_bytes_total";
    public const string TcpSentBytes = "meshnet_tcp_sent_bytes_total";
    public const string Retries = "meshnet_retries_total";
    public const string RetryBudgetExhausted = "meshnet_retry_budget_exhausted_total";
    public const string CircuitBreakerOverflows = "meshnet_circuit_breaker_overflows_total";
    public const string OutlierEjections = "meshnet_outlier_ejections_total";
    public const string ConfigVersionInfo = "meshnet_config_version_info";
    public const string ConfigLastAckAge = "meshnet_config_last_ack_age_seconds";
    public const string CertificateExpiry = "meshnet_certificate_expiry_seconds";
    public const string AccessLogDropped = "meshnet_access_log_dropped_total";

    public const string Direction = "direction";
    public const string SourceWorkload = "source_workload";
    public const string SourceNamespace = "source_namespace";
    public const string DestinationService = "destination_service";
    public const string DestinationNamespace = "destination_namespace";
    public const string DestinationWorkload = "destination_workload";
    public const string Code = "code";
    public const string Error = "error";
    public const string Tls = "tls";
    public const string Version = "version";

    public const string Inbound = "inbound";
    public const string Outbound = "outbound";

    /// <summary>
    /// Latency buckets in seconds: sub-millisecond (a sidecar hop on one machine) to ten seconds (timeouts).
    /// </summary>
    public static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static string Of(TrafficDirection direction) => direction == TrafficDirection.Inbound ? Inbound : Outbound;

    public static string Of(bool tls) => tls ? "true" : "false";
}

namespace MeshNet.ControlPlane.Telemetry.Metrics;

/// <summary>The control plane's metric and label names (the telemetry contract).</summary>
internal static class ControlPlaneMetricNames
{
    public const string ConnectedSidecars = "meshnet_control_connected_sidecars";
    public const string PushDuration = "meshnet_control_push_duration_seconds";
    public const string Nacks = "meshnet_control_nacks_total";
    public const string CompileDuration = "meshnet_control_compile_duration_seconds";
    public const string Resources = "meshnet_control_resources";

    public const string Reason = "reason";
    public const string Kind = "kind";

    /// <summary>A push is a debounced change reaching a sidecar over gRPC and coming back as an ACK: tens of ms to seconds.</summary>
    public static readonly double[] PushBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>Compiling a batch for every sidecar: sub-millisecond for a small mesh, up to seconds for a large one.</summary>
    public static readonly double[] CompileBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
}

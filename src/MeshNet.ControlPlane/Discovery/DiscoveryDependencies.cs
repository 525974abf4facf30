using MeshNet.ControlPlane.Telemetry.Metrics;
using MeshNet.ControlPlane.Telemetry.Tracing;
using MeshNet.ControlPlane.Tracking;

namespace MeshNet.ControlPlane.Discovery;

/// <summary>The shared parts every discovery stream uses.</summary>
internal sealed record DiscoveryDependencies(
    MeshChangeTracker Tracker,
    ProxySnapshotCache Cache,
    ProxyRegistry Registry,
    ControlPlaneReadiness Readiness,
    TimeProvider TimeProvider,
    ControlPlaneMetrics Metrics,
    PushTracer? Tracer = null);

using System.Collections.Immutable;

namespace MeshNet.Cli.Local;

/// <summary>One replica to run: its identity, its containers as processes, and its sidecar.</summary>
/// <param name="Owner">The Deployment or StatefulSet that owns the pod, or a bare Pod's own name.</param>
internal sealed record PodPlan(
    string Owner,
    PodIdentity Pod,
    ImmutableArray<ProcessSpec> Containers,
    SidecarSettings Sidecar);

using System.Collections.Immutable;

namespace MeshNet.Cli.Local;

/// <summary>One replica to run: its identity, its containers as processes, and its sidecar.</summary>
internal sealed record PodPlan(
    string Deployment,
    PodIdentity Pod,
    ImmutableArray<ProcessSpec> Containers,
    SidecarSettings Sidecar);

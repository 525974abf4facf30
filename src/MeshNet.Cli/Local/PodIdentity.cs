using System.Collections.Immutable;

namespace MeshNet.Cli.Local;

/// <summary>The facts about a pod that the downward API exposes and the sidecar announces.</summary>
internal sealed record PodIdentity(
    string Name,
    string Namespace,
    string Address,
    string ServiceAccount,
    ImmutableSortedDictionary<string, string> Labels);

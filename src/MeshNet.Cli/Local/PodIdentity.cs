using System.Collections.Immutable;

namespace MeshNet.Cli.Local;

/// <summary>The facts about a pod that the downward API exposes and the sidecar announces.</summary>
/// <param name="Hostname">spec.hostname (a StatefulSet pod's own name); null when the pod has none.</param>
/// <param name="Subdomain">spec.subdomain (a StatefulSet's serviceName): the headless Service giving the pod a DNS name.</param>
/// <param name="Annotations">metadata.annotations of the pod (template); null when it has none.</param>
internal sealed record PodIdentity(
    string Name,
    string Namespace,
    string Address,
    string ServiceAccount,
    ImmutableSortedDictionary<string, string> Labels,
    string? Hostname = null,
    string? Subdomain = null,
    ImmutableSortedDictionary<string, string>? Annotations = null);

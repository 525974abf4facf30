using System.Collections.Immutable;

namespace MeshNet.Model;

public sealed record MeshNamespace(
    string Name,
    ImmutableDictionary<string, string> Labels,
    ImmutableDictionary<string, string> Annotations)
    : MeshResource(new ResourceKey(ResourceKinds.Namespace, string.Empty, Name));

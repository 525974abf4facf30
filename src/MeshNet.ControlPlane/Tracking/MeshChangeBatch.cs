using System.Collections.Immutable;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Tracking;

/// <summary>What one turn of the update loop applies: net resource changes and the origins whose errors changed.</summary>
internal sealed record MeshChangeBatch(
    ImmutableArray<ResourceChange> Changes,
    ImmutableDictionary<string, ImmutableArray<ResourceError>> ErrorsByOrigin)
{
    public static MeshChangeBatch Empty { get; } = new(
        ImmutableArray<ResourceChange>.Empty,
        ImmutableDictionary<string, ImmutableArray<ResourceError>>.Empty);

    public bool IsEmpty => Changes.IsEmpty && ErrorsByOrigin.IsEmpty;
}

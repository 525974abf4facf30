using MeshNet.Model;

namespace MeshNet.ControlPlane.Tracking;

/// <summary>
/// The net change to one resource since the last batch: <see cref="Previous"/> is what the loop last saw
/// (null when the key is new), <see cref="Current"/> is what it should see now (null when deleted).
/// </summary>
internal sealed record ResourceChange(ResourceKey Key, MeshResource? Previous, MeshResource? Current);

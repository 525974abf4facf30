namespace MeshNet.Model;

/// <summary>
/// Base of every resource in the mesh model. Resources are immutable; a change is a new instance.
/// Sources only emit a resource when its content changed, so reference inequality means "changed".
/// </summary>
public abstract record MeshResource(ResourceKey Key)
{
    public string Namespace => Key.Namespace;

    public string Name => Key.Name;
}

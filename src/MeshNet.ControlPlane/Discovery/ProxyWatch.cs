using MeshNet.ControlPlane.Compilation;

namespace MeshNet.ControlPlane.Discovery;

/// <summary>A sidecar's entry in the <see cref="ProxySnapshotCache"/>: its latest compiled config and version.</summary>
internal sealed class ProxyWatch
{
    private readonly Action _onChanged;
    private VersionedConfig _current;

    public ProxyWatch(ProxyIdentity identity, VersionedConfig initial, Action onChanged)
    {
        Identity = identity;
        _current = initial;
        _onChanged = onChanged;
    }

    public ProxyIdentity Identity { get; }

    /// <summary>The latest config; read by the stream, replaced by the cache.</summary>
    public VersionedConfig Current => Volatile.Read(ref _current);

    internal void Set(VersionedConfig next)
    {
        Volatile.Write(ref _current, next);
        _onChanged();
    }
}

/// <summary>A compiled config and the version it is pushed under.</summary>
internal sealed record VersionedConfig(string Version, ProxyConfig Config)
{
    /// <summary>The config push (trace) that produced this version; default when it is not traced.</summary>
    public System.Diagnostics.ActivityContext PushTrace { get; init; }

    /// <summary>When the mesh change that produced this version was observed (a TimeProvider timestamp); 0 when unknown.</summary>
    public long ObservedAt { get; init; }
}

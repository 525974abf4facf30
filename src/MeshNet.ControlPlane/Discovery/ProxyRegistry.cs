using System.Collections.Immutable;

namespace MeshNet.ControlPlane.Discovery;

/// <summary>
/// Connected sidecars by "namespace/name". The newest stream of a name owns it: when a sidecar reconnects
/// before the server noticed the old stream died, the old stream's cleanup must not unregister the new one.
/// </summary>
internal sealed class ProxyRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ProxyStatus> _byId = new(StringComparer.Ordinal);

    public void Register(string id, ProxyStatus status)
    {
        lock (_lock)
        {
            _byId[id] = status;
        }
    }

    /// <summary>Removes the entry when <paramref name="status"/> still owns <paramref name="id"/>; returns whether it did.</summary>
    public bool Unregister(string id, ProxyStatus status)
    {
        lock (_lock)
        {
            if (_byId.TryGetValue(id, out var current) && ReferenceEquals(current, status))
            {
                _byId.Remove(id);
                return true;
            }

            return false;
        }
    }

    public bool IsOwner(string id, ProxyStatus status)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(id, out var current) && ReferenceEquals(current, status);
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byId.Count;
            }
        }
    }

    public ImmutableArray<ProxyStatusView> List()
    {
        lock (_lock)
        {
            return [.. _byId.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.View())];
        }
    }
}

using System.Globalization;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Indexing;

namespace MeshNet.ControlPlane.Discovery;

/// <summary>
/// Per-sidecar latest config, apart from the stream server (go-control-plane's snapshot cache). Publishing
/// an index recompiles every watched sidecar (cheap: the compiler shares clusters and virtual hosts) and
/// hands out a new version only to those whose config actually changed.
/// </summary>
internal sealed class ProxySnapshotCache
{
    private readonly MeshConfigCompiler _compiler;
    private readonly Lock _lock = new();
    private readonly HashSet<ProxyWatch> _watches = [];
    private MeshIndex _index = MeshIndex.Empty;
    private Protocol.V1.TrustBundle? _trustBundle;

    // A single counter for every sidecar: versions only go up, also across reconnects.
    private long _version;

    public ProxySnapshotCache(MeshConfigCompiler compiler)
    {
        _compiler = compiler;
    }

    /// <summary>The most recently published index.</summary>
    public MeshIndex Index
    {
        get
        {
            lock (_lock)
            {
                return _index;
            }
        }
    }

    /// <summary>Starts tracking a sidecar; its config is compiled against the current index right away.</summary>
    /// <param name="onChanged">Called (under the cache's lock, so it must only signal) when a new version exists.</param>
    public ProxyWatch Watch(ProxyIdentity identity, Action onChanged)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(onChanged);
        lock (_lock)
        {
            var watch = new ProxyWatch(identity, NextLocked(CompileLocked(_index, identity)), onChanged);
            _watches.Add(watch);
            return watch;
        }
    }

    public void Remove(ProxyWatch watch)
    {
        lock (_lock)
        {
            _watches.Remove(watch);
        }
    }

    public void Publish(MeshIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        lock (_lock)
        {
            _index = index;
            foreach (var watch in _watches)
            {
                var config = CompileLocked(index, watch.Identity);
                if (!config.SameContentAs(watch.Current.Config))
                {
                    watch.Set(NextLocked(config));
                }
            }
        }
    }

    /// <summary>
    /// A new trust bundle (a CA reload): every watched sidecar gets a new version carrying it, the rest of its config
    /// unchanged, so the push is a delta of the bundle alone.
    /// </summary>
    public void SetTrustBundle(Protocol.V1.TrustBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        lock (_lock)
        {
            if (bundle.Equals(_trustBundle))
            {
                return;
            }

            _trustBundle = bundle;
            foreach (var watch in _watches)
            {
                watch.Set(NextLocked(watch.Current.Config with { TrustBundle = bundle }));
            }
        }
    }

    private ProxyConfig CompileLocked(MeshIndex index, ProxyIdentity identity) =>
        _trustBundle is null ? _compiler.Compile(index, identity) : _compiler.Compile(index, identity) with { TrustBundle = _trustBundle };

    private VersionedConfig NextLocked(ProxyConfig config) =>
        new((++_version).ToString(CultureInfo.InvariantCulture), config);
}

using System.Globalization;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Indexing;
using MeshNet.ControlPlane.Telemetry.Tracing;
using MeshNet.ControlPlane.Tracking;

namespace MeshNet.ControlPlane.Discovery;

/// <summary>
/// Per-sidecar latest config, apart from the stream server (go-control-plane's snapshot cache). Publishing
/// an index recompiles every watched sidecar (cheap: the compiler shares clusters and virtual hosts) and
/// hands out a new version only to those whose config actually changed.
/// </summary>
internal sealed class ProxySnapshotCache
{
    private readonly MeshConfigCompiler _compiler;
    private readonly PushTracer? _tracer;
    private readonly MeshChangeTracker? _tracker;
    private readonly Lock _lock = new();
    private readonly HashSet<ProxyWatch> _watches = [];
    private MeshIndex _index = MeshIndex.Empty;
    private Protocol.V1.TrustBundle? _trustBundle;

    // A single counter for every sidecar: versions only go up, also across reconnects.
    private long _version;

    /// <param name="tracer">Traces each publish that changes some sidecar's config (tests may leave it out).</param>
    /// <param name="tracker">Where the change that led to a publish was observed, for the trace's start.</param>
    public ProxySnapshotCache(MeshConfigCompiler compiler, PushTracer? tracer = null, MeshChangeTracker? tracker = null)
    {
        _compiler = compiler;
        _tracer = tracer;
        _tracker = tracker;
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
            var compileStart = _tracer?.Now() ?? default;
            var changed = new List<(ProxyWatch Watch, ProxyConfig Config)>();
            foreach (var watch in _watches)
            {
                var config = CompileLocked(index, watch.Identity);
                if (!config.SameContentAs(watch.Current.Config))
                {
                    changed.Add((watch, config));
                }
            }

            // Traced only when some sidecar gets a new version: a publish that changes nothing pushes nothing.
            using var push = changed.Count == 0 ? null : _tracer?.StartPush(_tracker?.LastChangeTimestamp, compileStart);
            PushTracer.RecordCompile(push, compileStart, changed.Count);
            foreach (var (watch, config) in changed)
            {
                watch.Set(NextLocked(config) with { PushTrace = push?.Context ?? default, ObservedAt = _tracker?.LastChangeTimestamp ?? 0 });
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

using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// The sidecar's one YARP configuration source. Holds an immutable config built from a snapshot; an update swaps
/// in a new one atomically and then signals the old one's change token, which makes YARP reload.
/// </summary>
internal sealed class MeshProxyConfigProvider : IProxyConfigProvider
{
    private MeshProxyConfig _config = new(ProxySnapshot.Empty);

    public IProxyConfig GetConfig() => Volatile.Read(ref _config);

    public void Update(ProxySnapshot snapshot)
    {
        var previous = Interlocked.Exchange(ref _config, new MeshProxyConfig(snapshot));
        previous.SignalChanged();
    }
}

internal sealed class MeshProxyConfig : IProxyConfig
{
    private readonly SignalChangeToken _changed = new();

    public MeshProxyConfig(ProxySnapshot snapshot)
    {
        Snapshot = snapshot;
        Clusters = YarpClusterTranslator.ToClusters(snapshot);
    }

    public ProxySnapshot Snapshot { get; }

    public string RevisionId => Snapshot.Version;

    // Requests are routed by the sidecar's own host table (one lookup per request), not by ASP.NET routing.
    public IReadOnlyList<RouteConfig> Routes { get; } = [];

    public IReadOnlyList<ClusterConfig> Clusters { get; }

    public IChangeToken ChangeToken => _changed;

    internal void SignalChanged() => _changed.Signal();
}

using System.Collections.Immutable;
using Google.Protobuf;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Indexing;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using MeshNet.Model.Traffic;
using Cluster = MeshNet.Protocol.V1.Cluster;
using DiscoveryResponse = MeshNet.Protocol.V1.DiscoveryResponse;
using VirtualHost = MeshNet.Protocol.V1.VirtualHost;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests.Traffic;

/// <summary>Builders for TrafficPolicy/TrafficRoute model records and a small canary mesh to apply them to.</summary>
internal static class TrafficResources
{
    public static readonly ProxyIdentity Frontend = new("blog", "frontend-1", [new WorkloadPort("http", 8080, "TCP")]);

    public static readonly MeshService Posts =
        Service("blog", "posts", "app=posts", [Port(80, TargetPort.FromName("http"), "http", "http")], clusterIPs: ["10.96.0.12"]);

    public static readonly MeshService PostsV2 =
        Service("blog", "posts-v2", "app=posts,version=v2", [Port(80, TargetPort.FromName("http"), "http", "http")], clusterIPs: ["10.96.0.13"]);

    /// <summary>posts (v1 twice, v2 once, all meshed) and a posts-v2 Service selecting only v2.</summary>
    public static MeshResource[] Canary(params MeshResource[] more) =>
    [
        Posts,
        PostsV2,
        Sidecar("blog", "posts-v1-1", "app=posts,version=v1", "127.0.1.11", true, 15006, new WorkloadPort("http", 8080, "TCP")),
        Sidecar("blog", "posts-v1-2", "app=posts,version=v1", "127.0.1.12", true, 15006, new WorkloadPort("http", 8080, "TCP")),
        Sidecar("blog", "posts-v2-1", "app=posts,version=v2", "127.0.1.13", true, 15006, new WorkloadPort("http", 8080, "TCP")),
        .. more,
    ];

    public static TrafficPolicy Policy(
        string name,
        string service = "posts",
        int? port = null,
        LoadBalancerSettings? loadBalancer = null,
        TimeoutSettings? timeouts = null,
        RetrySettings? retries = null,
        CircuitBreakerSettings? circuitBreaker = null,
        OutlierDetectionSettings? outlier = null) =>
        new("blog", name, new PolicyTarget("Service", service, port), loadBalancer, timeouts, retries, circuitBreaker, outlier);

    public static TrafficRoute Route(string name, string service, params RouteRule[] rules) =>
        new("blog", name, new PolicyTarget("Service", service, null), [.. rules]);

    public static RouteRule When(RouteMatch[] matches, params RouteBackend[] backends) => new([.. matches], [.. backends]);

    public static RouteRule Always(params RouteBackend[] backends) => new([], [.. backends]);

    public static RouteBackend Subset(string labels, int weight) =>
        new(labels.Split(',').Select(p => p.Split('=', 2)).ToImmutableSortedDictionary(p => p[0], p => p[1], StringComparer.Ordinal), null, null, weight);

    public static RouteBackend ToService(string service, int weight, int? port = null) => new(null, service, port, weight);

    public static RouteMatch Header(string name, string value) => new(null, [new HeaderMatch(name, value, HeaderMatchType.Exact)], null);

    /// <summary>The index after applying <paramref name="resources"/> to <paramref name="index"/> as one batch.</summary>
    public static MeshIndex Apply(MeshIndex index, params MeshResource[] resources)
    {
        ResourceChange[] changes = [.. resources.Select(r => new ResourceChange(
            r.Key, index.Snapshot.Traffic.GetValueOrDefault(r.Key) ?? Existing(index.Snapshot, r.Key), r))];
        return index.Update(index.Snapshot.Apply(changes), changes);
    }

    public static MeshIndex Delete(MeshIndex index, ResourceKey key)
    {
        ResourceChange[] changes = [new(key, index.Snapshot.Traffic.GetValueOrDefault(key) ?? Existing(index.Snapshot, key), null)];
        return index.Update(index.Snapshot.Apply(changes), changes);
    }

    private static MeshResource? Existing(MeshSnapshot snapshot, ResourceKey key) =>
        (MeshResource?)snapshot.Services.GetValueOrDefault(key) ?? snapshot.Workloads.GetValueOrDefault(key);

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithIndentation("  "));

    /// <summary>The virtual hosts and clusters of one Service, as the sidecar would receive them.</summary>
    public static string Render(ProxyConfig config, string service)
    {
        var response = new DiscoveryResponse();
        response.VirtualHosts.AddRange(config.VirtualHosts.Where(h => h.Service == service));
        response.Clusters.AddRange(config.Clusters.Where(c => c.Service == service));
        return Json.Format(response);
    }

    public static VirtualHost Host(ProxyConfig config, string name = "posts.blog.svc.cluster.local:80") =>
        config.VirtualHosts.Single(h => h.Name == name);

    public static Cluster Cluster(ProxyConfig config, string name) => config.Clusters.Single(c => c.Name == name);
}

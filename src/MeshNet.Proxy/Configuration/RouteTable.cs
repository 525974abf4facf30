using System.Collections.Frozen;
using MeshNet.Proxy.Balancing;
using MeshNet.Proxy.Resilience;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// What a request needs, precomputed per applied snapshot: every Host spelling to its virtual host, each route's
/// clusters with their YARP state and ready destinations. Immutable except for the round-robin counters.
/// </summary>
internal sealed class RouteTable(string version, FrozenDictionary<string, VirtualHostEntry> hosts)
{
    public static RouteTable Empty { get; } = new(string.Empty, FrozenDictionary<string, VirtualHostEntry>.Empty);

    public string Version { get; } = version;

    /// <summary>One case-insensitive lookup of the raw Host value ("posts", "Posts.Blog.:80", "posts.blog.svc:8080").</summary>
    public bool TryFind(string host, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VirtualHostEntry? entry) =>
        hosts.TryGetValue(host, out entry);
}

internal sealed class VirtualHostEntry(string name, string service, RouteEntry[] routes)
{
    public string Name { get; } = name;

    public string Service { get; } = service;

    /// <summary>First match wins, as the proto says.</summary>
    public RouteEntry? Match(PathString path)
    {
        foreach (var route in routes)
        {
            if (route.PathPrefix.Length == 0 || (path.Value is { } value && value.StartsWith(route.PathPrefix, StringComparison.Ordinal)))
            {
                return route;
            }
        }

        return null;
    }
}

internal sealed class RouteEntry(string name, string pathPrefix, ClusterEntry[] clusters, int[] cumulativeWeights)
{
    public string Name { get; } = name;

    public string PathPrefix { get; } = pathPrefix;

    /// <summary>The only cluster, or one drawn by weight (cumulative weights; total is the last element).</summary>
    public ClusterEntry PickCluster()
    {
        if (clusters.Length == 1)
        {
            return clusters[0];
        }

        var draw = Random.Shared.Next(cumulativeWeights[^1]);
        for (var i = 0; i < cumulativeWeights.Length; i++)
        {
            if (draw < cumulativeWeights[i])
            {
                return clusters[i];
            }
        }

        return clusters[^1];
    }
}

internal sealed class ClusterEntry(string name, ClusterState state, OutboundDestination[] destinations, ClusterResilience resilience)
{
    // Only intercepted connections to a headless pod IP look destinations up by address; built on first use.
    private FrozenDictionary<string, OutboundDestination>? _byAddress;

    private uint _next;

    public string Name { get; } = name;

    /// <summary>YARP's state for this cluster: its model (and so its pooled HttpMessageInvoker) is current.</summary>
    public ClusterState State { get; } = state;

    /// <summary>The cluster's policy and resilience state (ejections, budgets, limits), shared across snapshots.</summary>
    public ClusterResilience Resilience { get; } = resilience;

    /// <summary>
    /// Picks a destination for one attempt by the cluster's load-balancing policy, skipping ejected destinations and,
    /// when another is available, those in <paramref name="avoid"/> (earlier attempts of the same request).
    /// Null when no destination is available.
    /// </summary>
    public DestinationLease? Pick(HttpContext context, IReadOnlyCollection<OutboundDestination>? avoid)
    {
        _ = context;
        _ = avoid;
        var destination = InterceptedDestination(context) ?? NextDestination();
        return destination is null ? null : new DestinationLease(destination);
    }

    private OutboundDestination? InterceptedDestination(HttpContext context) =>
        Interception.InterceptedConnection.Address(context) is { } address ? DestinationFor(address) : null;

    /// <summary>Round-robin over the cluster's destinations (all ready: the control plane sends only ready ones).</summary>
    public OutboundDestination? NextDestination()
    {
        if (destinations.Length == 0)
        {
            return null;
        }

        var index = Interlocked.Increment(ref _next) % (uint)destinations.Length;
        return destinations[index];
    }

    /// <summary>
    /// The destination at <paramref name="address"/> (a headless Service's pod IP the app dialled: a meshed pod's
    /// sidecar listens on the pod IP too), else the next one round-robin.
    /// </summary>
    public OutboundDestination? DestinationFor(string address)
    {
        var byAddress = _byAddress ??= destinations
            .GroupBy(d => d.Address, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return byAddress.TryGetValue(address, out var destination) ? destination : NextDestination();
    }
}

/// <summary>A destination with its forwarding prefix and the transformer that stamps its target port.</summary>
internal sealed class OutboundDestination(string id, string address, string prefix, HttpTransformer transformer)
{
    public string Id { get; } = id;

    /// <summary>The endpoint's address as the control plane sent it.</summary>
    public string Address { get; } = address;

    public string Prefix { get; } = prefix;

    public HttpTransformer Transformer { get; } = transformer;

    /// <summary>Failed attempts seen by this table's balancer (placeholder until the balancers keep real statistics).</summary>
    public FailureCount Failures { get; } = new();
}

internal sealed class FailureCount
{
    private long _count;

    public long Value => Interlocked.Read(ref _count);

    public void Increment() => Interlocked.Increment(ref _count);
}

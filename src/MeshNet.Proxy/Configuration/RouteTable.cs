using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// What a request needs, precomputed per applied snapshot: every Host spelling to its virtual host, each route's
/// matchers and clusters with their YARP state, balancer and destinations. Immutable; balancing statistics live
/// outside it so the next table keeps them.
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

    /// <summary>
    /// The route a connection that is not HTTP takes (no path or headers to match): the first catch-all route, else
    /// the last route; null without routes.
    /// </summary>
    public RouteEntry? ConnectionRoute => Array.Find(routes, r => r.MatchesEverything) ?? (routes.Length > 0 ? routes[^1] : null);

    public string Service { get; } = service;

    /// <summary>The first route whose matches accept the request (path, headers, method), as the proto says.</summary>
    public RouteEntry? Match(HttpRequest request)
    {
        foreach (var route in routes)
        {
            if (route.Matches(request))
            {
                return route;
            }
        }

        return null;
    }
}

internal sealed class RouteEntry(string name, RequestMatch[] matches, ClusterEntry[] clusters, int[] cumulativeWeights)
{
    public string Name { get; } = name;

    /// <summary>True for a route without matches (it takes every request).</summary>
    public bool MatchesEverything => matches.Length == 0;

    /// <summary>True when any of the route's matches accepts the request; a route without matches takes everything.</summary>
    public bool Matches(HttpRequest request)
    {
        if (matches.Length == 0)
        {
            return true;
        }

        foreach (var match in matches)
        {
            if (match.Matches(request))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The only cluster, or one drawn by weight (cumulative weights; total is the last element). Weights are this
    /// table's: a weight change takes effect for requests that look up the new table, without touching connections.
    /// </summary>
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

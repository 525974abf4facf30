using MeshNet.Protocol.V1;
using MeshNet.Proxy.Balancing;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Resilience;
using MeshNet.Proxy.Tests.Balancing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests.Configuration;

/// <summary>Route tables built the way the publisher builds them, from discovery responses, without YARP.</summary>
internal sealed class TableFixtures
{
    private readonly RouteRegexCache _regexes = new();
    private readonly ResilienceRegistry _resilience = new();

    public ManualClock Clock { get; } = new();

    public BalancingRegistry Balancing { get; }

    public TableFixtures() => Balancing = new BalancingRegistry(Clock);

    public RouteTable Build(params DiscoveryResponse[] responses)
    {
        var snapshot = ProxySnapshot.Empty;
        foreach (var response in responses)
        {
            snapshot = SnapshotUpdater.TryApply(snapshot, response, out var error) ?? throw new InvalidOperationException(error);
        }

        return RouteTableBuilder.Build(snapshot, id => new ClusterState(id), _resilience, Balancing, _regexes);
    }

    /// <summary>A table for one virtual host "posts" whose routes are given, each to its own cluster (named after the route).</summary>
    public RouteTable Routes(params Route[] routes)
    {
        var virtualHost = VirtualHost("blog", "posts", 80, "blog");
        virtualHost.Routes.Clear();
        virtualHost.Routes.Add(routes);
        var clusters = routes.SelectMany(r => r.Clusters).Select(c => c.Cluster).Distinct().Select(name =>
        {
            var cluster = Cluster("blog", "posts", 80, Plain(9001));
            cluster.Name = name;
            return cluster;
        });
        return Build(Full("1", [virtualHost], clusters));
    }

    public static Route Route(string name, params RouteMatch[] matches)
    {
        var route = new Route { Name = name, Match = matches.FirstOrDefault() };
        route.MoreMatches.Add(matches.Skip(1));
        route.Clusters.Add(new WeightedCluster { Cluster = name, Weight = 1 });
        return route;
    }

    public static HttpRequest Request(string path, string method = "GET", IDictionary<string, string[]>? headers = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        foreach (var (name, values) in headers ?? new Dictionary<string, string[]>())
        {
            context.Request.Headers[name] = values;
        }

        return context.Request;
    }

    /// <summary>The name of the route that takes the request, or null.</summary>
    public static string? RouteFor(RouteTable table, HttpRequest request) =>
        table.TryFind("posts", out var host) ? host.Match(request)?.Name : throw new InvalidOperationException("no virtual host");
}

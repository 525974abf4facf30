using BenchmarkDotNet.Attributes;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Balancing;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Resilience;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace MeshNet.Bench.Balancing;

/// <summary>
/// Route matching per request: a virtual host with a header route, a regex route and a prefix route ahead of the
/// catch-all, and a request that falls through all of them (the worst case), or hits the first.
/// </summary>
[MemoryDiagnoser]
public class MatchBenchmarks
{
    private VirtualHostEntry _host = null!;
    private HttpRequest _fallsThrough = null!;
    private HttpRequest _marked = null!;

    [GlobalSetup]
    public void Setup()
    {
        var virtualHost = new VirtualHost { Name = "posts.blog.svc.cluster.local:80", Service = "blog/posts" };
        virtualHost.Domains.Add("posts:80");
        var canary = new RouteMatch();
        canary.Headers.Add(new HeaderMatch { Name = "x-canary", Value = "true" });
        virtualHost.Routes.Add(Route("canary", canary));
        virtualHost.Routes.Add(Route("post", new RouteMatch { Path = new PathMatch { Type = PathMatch.Types.Type.Regex, Value = "/posts/[0-9]+" }, Method = "DELETE" }));
        virtualHost.Routes.Add(Route("api", new RouteMatch { Path = new PathMatch { Type = PathMatch.Types.Type.Prefix, Value = "/api" } }));
        virtualHost.Routes.Add(Route("default", null));
        var cluster = new Cluster { Name = "c", Service = "blog/posts", Port = 80 };
        cluster.Endpoints.Add(new MeshNet.Protocol.V1.Endpoint { Address = "10.1.0.1", Port = 8080, TargetPort = 8080 });
        var response = new DiscoveryResponse { VersionInfo = "1", FullState = true };
        response.VirtualHosts.Add(virtualHost);
        response.Clusters.Add(cluster);
        var snapshot = SnapshotUpdater.TryApply(ProxySnapshot.Empty, response, out var error) ?? throw new InvalidOperationException(error);
        var table = RouteTableBuilder.Build(snapshot, id => new ClusterState(id), new ResilienceRegistry(), new BalancingRegistry(TimeProvider.System), new RouteRegexCache());
        _host = table.TryFind("posts", out var host) ? host : throw new InvalidOperationException("no host");
        _fallsThrough = Request("/home/index.html", "GET", canary: false);
        _marked = Request("/home/index.html", "GET", canary: true);
    }

    [Benchmark]
    public bool MatchFallsThroughThreeRoutes() => _host.Match(_fallsThrough) is not null;

    [Benchmark]
    public bool MatchFirstRouteByHeader() => _host.Match(_marked) is not null;

    private static Route Route(string name, RouteMatch? match)
    {
        var route = new Route { Name = name, Match = match };
        route.Clusters.Add(new WeightedCluster { Cluster = "c", Weight = 1 });
        return route;
    }

    private static HttpRequest Request(string path, string method, bool canary)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Request.Method = method;
        context.Request.Headers["accept"] = "*/*";
        if (canary)
        {
            context.Request.Headers["x-canary"] = "true";
        }

        return context.Request;
    }
}

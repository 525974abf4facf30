using System.Net;
using MeshNet.Proxy.Balancing;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Resilience;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Tests.Balancing;

/// <summary>Destinations, clusters and requests for balancer tests, with statistics on a manual clock.</summary>
internal sealed class BalancingFixtures
{
    public ManualClock Clock { get; } = new();

    public ClusterBalancing State { get; }

    public BalancingFixtures() => State = new ClusterBalancing(Clock);

    public static string Id(int i) => $"10.0.0.{i}:8080";

    /// <summary>Destinations 10.0.0.1:8080 ... with statistics from <see cref="State"/>.</summary>
    public OutboundDestination[] Destinations(int count) =>
        Enumerable.Range(1, count).Select(i => new OutboundDestination(Id(i), $"10.0.0.{i}", $"http://10.0.0.{i}:8080", HttpTransformer.Empty, State.StatsFor(Id(i)))).ToArray();

    public LoadBalancer Balancer(Proto.LoadBalancer.Types.Type type, OutboundDestination[] destinations, Proto.HashOn? hashOn = null) =>
        LoadBalancerFactory.Create(new Proto.LoadBalancer { Type = type, HashOn = hashOn }, State, destinations.Select(d => d.Id).ToArray());

    public ClusterEntry Cluster(OutboundDestination[] destinations, Proto.LoadBalancer.Types.Type type, ClientIpAffinityTable? affinity = null, Func<string, bool>? isEjected = null, Proto.HashOn? hashOn = null)
    {
        var proto = new Proto.Cluster { Name = "c" };
        return new ClusterEntry("c", new ClusterState("c"), destinations, new ClusterResilience(proto), Balancer(type, destinations, hashOn), affinity, isEjected);
    }

    public static HttpContext Request(string? clientIp = null, IDictionary<string, string>? headers = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = clientIp is null ? IPAddress.Loopback : IPAddress.Parse(clientIp);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }

    /// <summary>Picks <paramref name="count"/> times, completing each lease at once; returns the picks by destination id.</summary>
    public static Dictionary<string, int> Tally(ClusterEntry cluster, int count, Func<int, HttpContext>? request = null)
    {
        var tally = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            var lease = cluster.Pick(request?.Invoke(i) ?? Request(), avoid: null) ?? throw new InvalidOperationException("no destination");
            lease.Complete(success: true);
            tally[lease.Destination.Id] = tally.GetValueOrDefault(lease.Destination.Id) + 1;
        }

        return tally;
    }
}

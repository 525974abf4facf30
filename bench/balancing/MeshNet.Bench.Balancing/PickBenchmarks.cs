using System.Net;
using BenchmarkDotNet.Attributes;
using MeshNet.Proxy.Balancing;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Resilience;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Bench.Balancing;

/// <summary>
/// The request path's balancing cost: one Pick and one Complete per operation, as the outbound handler does per
/// attempt, for every balancer and two cluster sizes. Single-threaded: the cost a request pays, not contention.
/// </summary>
[MemoryDiagnoser]
public class PickBenchmarks
{
    private ClusterEntry _cluster = null!;
    private HttpContext _context = null!;

    [Params(Proto.LoadBalancer.Types.Type.PeakEwma, Proto.LoadBalancer.Types.Type.RoundRobin, Proto.LoadBalancer.Types.Type.LeastRequest, Proto.LoadBalancer.Types.Type.Random, Proto.LoadBalancer.Types.Type.RingHash)]
    public Proto.LoadBalancer.Types.Type Balancer { get; set; }

    [Params(3, 100)]
    public int Destinations { get; set; }

    [Params(false, true)]
    public bool ClientIpAffinity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = Clusters.Build(Balancer, Destinations, ClientIpAffinity);
        _context = Clusters.Request();
    }

    [Benchmark]
    public void PickAndComplete()
    {
        var lease = _cluster.Pick(_context, avoid: null)!.Value;
        lease.Complete(success: true);
    }
}

/// <summary>A retry's pick: the first attempt's destination must be avoided.</summary>
[MemoryDiagnoser]
public class RetryPickBenchmarks
{
    private ClusterEntry _cluster = null!;
    private HttpContext _context = null!;
    private List<OutboundDestination> _avoid = null!;

    [Params(Proto.LoadBalancer.Types.Type.PeakEwma, Proto.LoadBalancer.Types.Type.RingHash)]
    public Proto.LoadBalancer.Types.Type Balancer { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = Clusters.Build(Balancer, 3, clientIpAffinity: false);
        _context = Clusters.Request();
        var first = _cluster.Pick(_context, avoid: null)!.Value;
        first.Complete(success: true);
        _avoid = [first.Destination];
    }

    [Benchmark]
    public void PickAvoidingAndComplete()
    {
        var lease = _cluster.Pick(_context, _avoid)!.Value;
        lease.Complete(success: true);
    }
}

internal static class Clusters
{
    public static ClusterEntry Build(Proto.LoadBalancer.Types.Type type, int count, bool clientIpAffinity)
    {
        var state = new ClusterBalancing(TimeProvider.System);
        var destinations = Enumerable.Range(0, count)
            .Select(i => $"10.1.{i / 250}.{(i % 250) + 1}")
            .Select(address => new OutboundDestination($"{address}:8080", address, $"http://{address}:8080", HttpTransformer.Empty, state.StatsFor($"{address}:8080")))
            .ToArray();
        var policy = new Proto.LoadBalancer { Type = type, HashOn = new Proto.HashOn { Header = "x-user" } };
        var balancer = LoadBalancerFactory.Create(policy, state, destinations.Select(d => d.Id).ToArray());
        var affinity = state.AffinityFor(clientIpAffinity ? TimeSpan.FromHours(3) : null);
        var cluster = new ClusterEntry("c", new ClusterState("c"), destinations, new ClusterResilience(new Proto.Cluster { Name = "c" }), balancer, affinity);

        // Warm every destination so PeakEwma compares real averages, not fresh-endpoint zeros.
        foreach (var destination in destinations)
        {
            new DestinationLease(destination).Complete(success: true);
        }

        return cluster;
    }

    public static HttpContext Request()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("127.0.1.7");
        context.Request.Headers["x-user"] = "user-1234";
        return context;
    }
}

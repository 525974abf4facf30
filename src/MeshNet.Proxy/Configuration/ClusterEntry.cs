using System.Collections.Frozen;
using MeshNet.Proxy.Balancing;
using MeshNet.Proxy.Interception;
using MeshNet.Proxy.Resilience;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace MeshNet.Proxy.Configuration;

/// <summary>One cluster of a route table: its YARP state, destinations, balancer and (optional) client-IP affinity.</summary>
internal sealed class ClusterEntry
{
    private readonly OutboundDestination[] _destinations;
    private readonly LoadBalancer _balancer;
    private readonly ClientIpAffinityTable? _affinity;
    private readonly FrozenDictionary<string, OutboundDestination>? _byId;
    private readonly Func<string, bool> _isEjected;

    // Only intercepted connections to a headless pod IP look destinations up by address; built on first use.
    private FrozenDictionary<string, OutboundDestination>? _byAddress;

    /// <summary>A round-robin cluster with fresh statistics (tests and tools; the builder passes the policy's balancer).</summary>
    public ClusterEntry(string name, ClusterState state, OutboundDestination[] destinations, ClusterResilience resilience)
        : this(name, state, destinations, resilience, new RoundRobinLoadBalancer(new ClusterBalancing(TimeProvider.System)), affinity: null)
    {
    }

    /// <param name="isEjected">Which destinations are ejected; default: the cluster's outlier detection.</param>
    public ClusterEntry(string name, ClusterState state, OutboundDestination[] destinations, ClusterResilience resilience, LoadBalancer balancer, ClientIpAffinityTable? affinity, Func<string, bool>? isEjected = null)
    {
        Name = name;
        State = state;
        Resilience = resilience;
        _destinations = destinations;
        _balancer = balancer;
        _affinity = affinity;
        // One delegate per table, not per request.
        _isEjected = isEjected ?? resilience.IsEjected;
        _byId = affinity is null ? null : destinations.ToFrozenDictionary(d => d.Id, StringComparer.Ordinal);
    }

    public string Name { get; }

    /// <summary>YARP's state for this cluster: its model (and so its pooled HttpMessageInvoker) is current.</summary>
    public ClusterState State { get; }

    /// <summary>The cluster's policy and resilience state (ejections, budgets, limits), shared across snapshots.</summary>
    public ClusterResilience Resilience { get; }

    public IReadOnlyList<OutboundDestination> Destinations => _destinations;

    /// <summary>
    /// Picks a destination for one attempt by the cluster's load-balancing policy, skipping ejected destinations and,
    /// when another is available, those in <paramref name="avoid"/> (earlier attempts of the same request).
    /// Null when no destination is available. An intercepted connection to a headless Service's pod IP keeps going
    /// to that pod. The caller completes the lease exactly once.
    /// </summary>
    public DestinationLease? Pick(HttpContext context, IReadOnlyCollection<OutboundDestination>? avoid)
    {
        var destination = InterceptedDestination(context) ?? Choose(context, ClusterBalancing.ClientAddress(context.Connection.RemoteIpAddress), new DestinationFilter(_isEjected, avoid));
        return destination is null ? null : new DestinationLease(destination);
    }

    /// <summary>
    /// The destination at <paramref name="address"/> (a headless Service's pod IP the app dialled: a meshed pod's
    /// sidecar listens on the pod IP too), else one the balancer picks (not leased).
    /// </summary>
    public OutboundDestination? DestinationFor(string address) =>
        AddressLookup().TryGetValue(address, out var destination) ? destination : _balancer.Pick(null, _destinations, new DestinationFilter(_isEjected, null));

    /// <summary>
    /// Picks a destination for one intercepted L4 connection to <paramref name="dialledAddress"/>: the pod itself when
    /// that is a headless Service's pod IP, else the balancer's choice with client-IP affinity by <paramref name="client"/>
    /// (an affinity set for a TCP Service must hold for its connections too). Null when no destination is available.
    /// </summary>
    public DestinationLease? PickForConnection(System.Net.IPAddress? client, string dialledAddress, IReadOnlyCollection<OutboundDestination>? avoid)
    {
        var filter = new DestinationFilter(_isEjected, avoid);
        var destination = AddressLookup().TryGetValue(dialledAddress, out var pod) && (avoid is null || !avoid.Contains(pod))
            ? pod
            : Choose(context: null, ClusterBalancing.ClientAddress(client), filter);
        return destination is null ? null : new DestinationLease(destination);
    }

    private OutboundDestination? InterceptedDestination(HttpContext context) =>
        InterceptedConnection.Address(context) is { } address && AddressLookup().TryGetValue(address, out var destination) ? destination : null;

    private FrozenDictionary<string, OutboundDestination> AddressLookup() =>
        _byAddress ??= _destinations
            .GroupBy(d => d.Address, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private OutboundDestination? Choose(HttpContext? context, System.Net.IPAddress? client, DestinationFilter filter)
    {
        if (_affinity is not null && client is not null)
        {
            return ChooseWithAffinity(context, filter, client);
        }

        return Balance(context, filter);
    }

    /// <summary>Balances honouring the avoid set, and ignores it when it leaves nothing (ejections still count).</summary>
    private OutboundDestination? Balance(HttpContext? context, DestinationFilter filter) =>
        _balancer.Pick(context, _destinations, filter)
        ?? (filter.HasAvoid ? _balancer.Pick(context, _destinations, filter.WithoutAvoid()) : null);

    /// <summary>
    /// Affinity applies before the balancer: the remembered destination while it is configured and allowed. A
    /// remembered destination that is gone or ejected is replaced; one only avoided by a retry is kept for later.
    /// </summary>
    private OutboundDestination? ChooseWithAffinity(HttpContext? context, DestinationFilter filter, System.Net.IPAddress client)
    {
        if (_affinity!.Lookup(client) is { } id && _byId!.TryGetValue(id, out var remembered))
        {
            if (filter.Allows(remembered))
            {
                return remembered;
            }

            if (filter.WithoutAvoid().Allows(remembered))
            {
                return Balance(context, filter);
            }
        }

        var chosen = Balance(context, filter);
        if (chosen is not null)
        {
            _affinity.Remember(client, chosen.Id);
        }

        return chosen;
    }
}

/// <summary>A destination with its forwarding prefix, the transformer that stamps its target port, and its statistics.</summary>
/// <param name="identity">The SPIFFE ID the endpoint serves mTLS as; "" for a plaintext endpoint.</param>
internal sealed class OutboundDestination(string id, string address, string prefix, HttpTransformer transformer, DestinationStats? stats = null, string identity = "")
{
    /// <summary>"address:port", as YARP's destination id.</summary>
    public string Id { get; } = id;

    /// <summary>The endpoint's address as the control plane sent it.</summary>
    public string Address { get; } = address;

    public string Prefix { get; } = prefix;

    public HttpTransformer Transformer { get; } = transformer;

    /// <summary>The endpoint's SPIFFE ID from the config ("" when it has none): telemetry tells mTLS hops by it.</summary>
    public string Identity { get; } = identity;

    /// <summary>In-flight count and latency average, shared by every route table holding this (cluster, destination).</summary>
    public DestinationStats Stats { get; } = stats ?? new DestinationStats(TimeProvider.System);
}

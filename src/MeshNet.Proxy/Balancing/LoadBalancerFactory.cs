using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Balancing;

/// <summary>Well-known balancer choice from a cluster's policy (the control plane always sends one; absent is PEAK_EWMA).</summary>
internal static class LoadBalancerFactory
{
    /// <param name="destinationIds">The destinations in the order the table holds them (the ring maps back to these indexes).</param>
    public static LoadBalancer Create(Proto.LoadBalancer? policy, ClusterBalancing state, IReadOnlyList<string> destinationIds) =>
        (policy?.Type ?? Proto.LoadBalancer.Types.Type.PeakEwma) switch
        {
            Proto.LoadBalancer.Types.Type.RoundRobin => new RoundRobinLoadBalancer(state),
            Proto.LoadBalancer.Types.Type.LeastRequest => LeastRequestLoadBalancer.Instance,
            Proto.LoadBalancer.Types.Type.Random => RandomLoadBalancer.Instance,
            // The validator refuses RING_HASH without a key, so hash_on is set here.
            Proto.LoadBalancer.Types.Type.RingHash => new RingHashLoadBalancer(state.RingFor(destinationIds), policy!.HashOn),
            _ => PeakEwmaLoadBalancer.Instance,
        };
}

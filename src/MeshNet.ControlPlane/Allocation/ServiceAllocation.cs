using System.Collections.Immutable;
using System.Globalization;

namespace MeshNet.ControlPlane.Allocation;

/// <summary>What one Service holds from the control plane's pools.</summary>
/// <param name="ClusterIPs">One per IP family, in the Service's family order (the first is its primary family).</param>
/// <param name="NodePorts">Keyed by "port/protocol", e.g. "80/TCP".</param>
/// <param name="LoadBalancerIPs">The ingress address of a LoadBalancer Service; empty when it has none from the pool.</param>
internal sealed record ServiceAllocation(
    ImmutableArray<string> ClusterIPs,
    ImmutableSortedDictionary<string, int> NodePorts,
    ImmutableArray<string> LoadBalancerIPs)
{
    public static ServiceAllocation None { get; } = new([], ImmutableSortedDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal), []);

    public static string PortKey(int port, string protocol) =>
        string.Create(CultureInfo.InvariantCulture, $"{port}/{protocol.ToUpperInvariant()}");

    public bool SameAs(ServiceAllocation other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ClusterIPs.SequenceEqual(other.ClusterIPs, StringComparer.Ordinal) &&
            LoadBalancerIPs.SequenceEqual(other.LoadBalancerIPs, StringComparer.Ordinal) &&
            NodePorts.Count == other.NodePorts.Count &&
            NodePorts.All(p => other.NodePorts.TryGetValue(p.Key, out var n) && n == p.Value);
    }
}

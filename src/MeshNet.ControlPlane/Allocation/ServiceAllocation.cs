using System.Collections.Immutable;
using System.Globalization;

namespace MeshNet.ControlPlane.Allocation;

/// <summary>What one Service holds: its cluster IPs and node ports (keyed by "port/protocol", e.g. "80/TCP").</summary>
internal sealed record ServiceAllocation(ImmutableArray<string> ClusterIPs, ImmutableSortedDictionary<string, int> NodePorts)
{
    public static ServiceAllocation None { get; } = new([], ImmutableSortedDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal));

    public static string PortKey(int port, string protocol) =>
        string.Create(CultureInfo.InvariantCulture, $"{port}/{protocol.ToUpperInvariant()}");

    public bool SameAs(ServiceAllocation other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ClusterIPs.SequenceEqual(other.ClusterIPs, StringComparer.Ordinal) &&
            NodePorts.Count == other.NodePorts.Count &&
            NodePorts.All(p => other.NodePorts.TryGetValue(p.Key, out var n) && n == p.Value);
    }
}

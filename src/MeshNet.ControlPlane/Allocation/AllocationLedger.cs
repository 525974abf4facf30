using MeshNet.Model;

namespace MeshNet.ControlPlane.Allocation;

/// <summary>
/// Who holds which cluster IP, load balancer address and node port during one admission decision, with the soft
/// reservations <see cref="AddressBook"/> describes (node ports get the same treatment here).
/// </summary>
internal sealed class AllocationLedger
{
    private readonly Dictionary<int, ResourceKey> _nodePorts = [];
    private readonly Dictionary<int, string> _softNodePorts = [];

    public AddressBook ClusterIps { get; } = new();

    public AddressBook LoadBalancerIps { get; } = new();

    public void Reserve(string owner, ServiceAllocation allocation)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        ClusterIps.Reserve(owner, allocation.ClusterIPs);
        LoadBalancerIps.Reserve(owner, allocation.LoadBalancerIPs);
        foreach (var port in allocation.NodePorts.Values)
        {
            _softNodePorts.TryAdd(port, owner);
        }
    }

    public ResourceKey? NodePortOwner(int port) => _nodePorts.TryGetValue(port, out var owner) ? owner : null;

    public bool NodePortFreeFor(int port, string owner, bool ignoreSoft) =>
        !_nodePorts.ContainsKey(port) &&
        (ignoreSoft || !_softNodePorts.TryGetValue(port, out var soft) || string.Equals(soft, owner, StringComparison.Ordinal));

    public void Claim(ResourceKey key, ServiceAllocation allocation)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        ClusterIps.Claim(key, allocation.ClusterIPs);
        LoadBalancerIps.Claim(key, allocation.LoadBalancerIPs);
        foreach (var port in allocation.NodePorts.Values)
        {
            _nodePorts[port] = key;
        }
    }

    public void Release(ResourceKey key, ServiceAllocation allocation)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        ClusterIps.Release(key, allocation.ClusterIPs);
        LoadBalancerIps.Release(key, allocation.LoadBalancerIPs);
        foreach (var port in allocation.NodePorts.Values)
        {
            if (_nodePorts.TryGetValue(port, out var owner) && owner == key)
            {
                _nodePorts.Remove(port);
            }
        }
    }
}

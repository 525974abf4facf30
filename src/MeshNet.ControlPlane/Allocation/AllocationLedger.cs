using System.Net;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Allocation;

/// <summary>
/// Who holds which cluster IP and node port during one admission decision. Besides hard claims it knows soft
/// reservations: addresses other Services ask for explicitly, and allocations saved for Services not seen since
/// the restart. Dynamic allocation steers around both, so an explicit request or a returning Service is not beaten
/// to its address by a hash probe.
/// </summary>
internal sealed class AllocationLedger
{
    private readonly Dictionary<string, ResourceKey> _ips = new(StringComparer.Ordinal);
    private readonly Dictionary<int, ResourceKey> _nodePorts = [];
    private readonly Dictionary<string, string> _softIps = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _softNodePorts = [];

    public int ClaimedIps => _ips.Count;

    public int ClaimedNodePorts => _nodePorts.Count;

    /// <summary>Claimed and reserved addresses together: a probe finds a free one within this many steps plus one.</summary>
    public int Taken => _ips.Count + _softIps.Count;

    /// <summary>The textual form used as the ledger key: "10.96.0.1", "fd00::1" (lower case, compressed).</summary>
    public static string Canonical(string ip) => IPAddress.TryParse(ip, out var parsed) ? parsed.ToString() : ip;

    public void Reserve(string owner, ServiceAllocation allocation)
    {
        foreach (var ip in allocation.ClusterIPs)
        {
            _softIps.TryAdd(Canonical(ip), owner);
        }

        foreach (var port in allocation.NodePorts.Values)
        {
            _softNodePorts.TryAdd(port, owner);
        }
    }

    public ResourceKey? IpOwner(string ip) => _ips.TryGetValue(Canonical(ip), out var owner) ? owner : null;

    public ResourceKey? NodePortOwner(int port) => _nodePorts.TryGetValue(port, out var owner) ? owner : null;

    /// <summary>Free for <paramref name="owner"/> to take dynamically: unclaimed and, unless <paramref name="ignoreSoft"/>, not reserved for another.</summary>
    public bool IpFreeFor(string ip, string owner, bool ignoreSoft)
    {
        var canonical = Canonical(ip);
        return !_ips.ContainsKey(canonical) &&
            (ignoreSoft || !_softIps.TryGetValue(canonical, out var soft) || string.Equals(soft, owner, StringComparison.Ordinal));
    }

    public bool NodePortFreeFor(int port, string owner, bool ignoreSoft) =>
        !_nodePorts.ContainsKey(port) &&
        (ignoreSoft || !_softNodePorts.TryGetValue(port, out var soft) || string.Equals(soft, owner, StringComparison.Ordinal));

    public void Claim(ResourceKey key, ServiceAllocation allocation)
    {
        foreach (var ip in allocation.ClusterIPs)
        {
            _ips[Canonical(ip)] = key;
        }

        foreach (var port in allocation.NodePorts.Values)
        {
            _nodePorts[port] = key;
        }
    }

    public void Release(ResourceKey key, ServiceAllocation allocation)
    {
        foreach (var ip in allocation.ClusterIPs)
        {
            if (_ips.TryGetValue(Canonical(ip), out var owner) && owner == key)
            {
                _ips.Remove(Canonical(ip));
            }
        }

        foreach (var port in allocation.NodePorts.Values)
        {
            if (_nodePorts.TryGetValue(port, out var owner) && owner == key)
            {
                _nodePorts.Remove(port);
            }
        }
    }
}

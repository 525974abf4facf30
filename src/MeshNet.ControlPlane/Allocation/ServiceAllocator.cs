using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Allocation;

/// <summary>
/// Decides one Service's cluster IPs (one per IP family, see <see cref="IpFamilyResolver"/>), node ports and load
/// balancer address against a <see cref="AllocationLedger"/>: requested values are checked (inside the range, not
/// held by another Service), missing ones are allocated. Allocation is deterministic-friendly: the Service's
/// previous value first, then a hash of "ns/name" as the starting point of a linear probe (the lowest free address
/// for load balancers), so the same manifests give the same addresses on any machine.
/// </summary>
internal sealed class ServiceAllocator
{
    private readonly AllocationOptions _options;

    public ServiceAllocator(AllocationOptions options)
    {
        _options = options;
    }

    public static string KeyString(ResourceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return MeshNames.NamespacedName(key.Namespace, key.Name);
    }

    /// <summary>The values the Service asks for itself, so others' dynamic allocation keeps off them.</summary>
    public static ServiceAllocation Requested(MeshService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new ServiceAllocation(
            [.. RequestedIps(service)],
            service.Ports.Where(p => p.NodePort is not null)
                .GroupBy(p => ServiceAllocation.PortKey(p.Port, p.Protocol), StringComparer.Ordinal)
                .ToImmutableSortedDictionary(g => g.Key, g => g.First().NodePort!.Value, StringComparer.Ordinal),
            []);
    }

    /// <param name="previous">What the Service had: its admitted allocation, or the one saved before a restart.</param>
    /// <param name="held">
    /// The Service holds <paramref name="previous"/> right now, so another Service's explicit request for the same value
    /// does not take it away. A merely saved value yields to an explicit request, which keeps the outcome independent
    /// of the order Services arrive in after a restart.
    /// </param>
    /// <returns>
    /// False when the Service cannot be admitted; <paramref name="error"/> says why. True when it can; then
    /// <paramref name="error"/> may still report what it goes without (a LoadBalancer Service with no address left
    /// in the pool works inside the mesh, as one whose external address is pending does in Kubernetes).
    /// </returns>
    public bool TryPlan(
        MeshService wanted, ServiceAllocation? previous, bool held, AllocationLedger ledger, out ServiceAllocation plan, out ResourceError? error)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(ledger);
        plan = ServiceAllocation.None;
        if (!TryPlanIps(wanted, previous, held, ledger, out var ips, out error) ||
            !TryPlanNodePorts(wanted, previous, held, ledger, out var nodePorts, out error))
        {
            return false;
        }

        var ingress = PlanLoadBalancer(wanted, previous, held, ledger);
        if (ingress is null)
        {
            ingress = [];
            error = Error(wanted, "status.loadBalancer.ingress", string.Create(CultureInfo.InvariantCulture,
                $"no free load balancer address left in {_options.LoadBalancerCidr}; the Service has no external address until one is freed"));
        }

        plan = new ServiceAllocation(ips, nodePorts, ingress.Value);
        return true;
    }

    /// <summary>The Service as admitted: allocated addresses and node ports filled in; the same instance when nothing was filled.</summary>
    public static MeshService Fill(MeshService wanted, ServiceAllocation plan)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(plan);
        var sameIps = wanted.ClusterIPs.SequenceEqual(plan.ClusterIPs, StringComparer.Ordinal);
        var ports = wanted.Ports.Select(p =>
        {
            int? nodePort = plan.NodePorts.TryGetValue(ServiceAllocation.PortKey(p.Port, p.Protocol), out var n) ? n : null;
            return p.NodePort == nodePort ? p : p with { NodePort = nodePort };
        }).ToImmutableArray();
        var samePorts = ports.Zip(wanted.Ports).All(p => ReferenceEquals(p.First, p.Second));
        // Ingress from the source (the API server's status) is kept as it is; the pool only fills an empty one.
        var sameIngress = plan.LoadBalancerIPs.IsEmpty;
        if (sameIps && samePorts && sameIngress)
        {
            return wanted;
        }

        return wanted with
        {
            ClusterIPs = sameIps ? wanted.ClusterIPs : plan.ClusterIPs,
            Ports = samePorts ? wanted.Ports : ports,
            LoadBalancerIngress = sameIngress ? wanted.LoadBalancerIngress : plan.LoadBalancerIPs,
        };
    }

    /// <summary>"spec.clusterIP" for the primary address, "spec.clusterIPs[1]" for the secondary.</summary>
    public static string ClusterIpField(int index) =>
        index == 0 ? "spec.clusterIP" : string.Create(CultureInfo.InvariantCulture, $"spec.clusterIPs[{index}]");

    public static IEnumerable<string> RequestedIps(MeshService service) =>
        service.ClusterIPs.IsDefault
            ? []
            : service.ClusterIPs.Where(ip => ip.Length > 0 && !string.Equals(ip, "None", StringComparison.OrdinalIgnoreCase));

    /// <summary>One address per family: the requested one, else the one the Service had, else a hash-probed free one.</summary>
    private bool TryPlanIps(
        MeshService wanted, ServiceAllocation? previous, bool held, AllocationLedger ledger, out ImmutableArray<string> ips, out ResourceError? error)
    {
        ips = [];
        error = null;
        if (wanted.Type == ServiceType.ExternalName)
        {
            return true;
        }

        if (!IpFamilyResolver.TryResolve(wanted, _options, out var families, out var familyError))
        {
            error = Error(wanted, familyError!.Value.Field, familyError.Value.Message);
            return false;
        }

        if (wanted.Headless)
        {
            return true;
        }

        var requested = RequestedIps(wanted).ToImmutableArray();
        var owner = KeyString(wanted.Key);
        var result = ImmutableArray.CreateBuilder<string>(families.Length);
        for (var i = 0; i < families.Length; i++)
        {
            if (i < requested.Length)
            {
                if (CheckRequestedIp(wanted, requested[i], ledger) is { } message)
                {
                    error = Error(wanted, ClusterIpField(i), message);
                    return false;
                }

                result.Add(requested[i]);
                continue;
            }

            // The resolver only returns families with a configured range beyond the requested addresses.
            var cidr = _options.CidrFor(families[i])!;
            var kept = previous?.ClusterIPs.FirstOrDefault(ip =>
                IPAddress.TryParse(ip, out var parsed) && cidr.Contains(parsed) && ledger.ClusterIps.FreeFor(ip, owner, ignoreSoft: held));
            if ((kept ?? ledger.ClusterIps.Allocate(cidr, owner, Hash(owner))) is not { } ip)
            {
                error = Error(wanted, ClusterIpField(i), $"no free cluster IP left in {cidr}; this version is not applied");
                return false;
            }

            result.Add(ip);
        }

        ips = result.MoveToImmutable();
        return true;
    }

    /// <summary>
    /// The pool's address for a LoadBalancer Service that has none from its source: the one it had, else the lowest
    /// free one (as MetalLB hands them out, so a small demo gets 127.0.100.1). Null when the pool is exhausted.
    /// </summary>
    private ImmutableArray<string>? PlanLoadBalancer(MeshService wanted, ServiceAllocation? previous, bool held, AllocationLedger ledger)
    {
        if (wanted.Type != ServiceType.LoadBalancer || !wanted.LoadBalancerIngress.IsDefaultOrEmpty)
        {
            return [];
        }

        var owner = KeyString(wanted.Key);
        var pool = _options.LoadBalancerCidr;
        var kept = previous?.LoadBalancerIPs.FirstOrDefault(ip =>
            IPAddress.TryParse(ip, out var parsed) && pool.Contains(parsed) && ledger.LoadBalancerIps.FreeFor(ip, owner, ignoreSoft: held));
        return (kept ?? ledger.LoadBalancerIps.Allocate(pool, owner, 0)) is { } ip ? [ip] : null;
    }

    private string? CheckRequestedIp(MeshService wanted, string ip, AllocationLedger ledger)
    {
        if (!IPAddress.TryParse(ip, out var parsed))
        {
            return $"\"{ip}\" is not an IP address; this version is not applied";
        }

        var cidr = _options.ServiceCidrs.FirstOrDefault(c => c.Family == parsed.AddressFamily);
        if (cidr is null)
        {
            // The family resolver refuses these first; kept so this check stands on its own.
            return IpFamilyResolver.NoRange(ip, parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IpFamily.IPv6 : IpFamily.IPv4, _options);
        }

        if (!cidr.Contains(parsed))
        {
            return $"{ip} is not in the service CIDR {cidr}; this version is not applied";
        }

        if (ledger.ClusterIps.Owner(ip) is { } holder && holder != wanted.Key)
        {
            return $"{ip} requested by Service {KeyString(wanted.Key)} is already allocated to Service {holder.Namespace}/{holder.Name}; this version is not applied";
        }

        return null;
    }

    private bool TryPlanNodePorts(
        MeshService wanted, ServiceAllocation? previous, bool held, AllocationLedger ledger, out ImmutableSortedDictionary<string, int> nodePorts, out ResourceError? error)
    {
        nodePorts = ServiceAllocation.None.NodePorts;
        error = null;
        if (wanted.Type is not (ServiceType.NodePort or ServiceType.LoadBalancer))
        {
            return true;
        }

        var owner = KeyString(wanted.Key);
        var result = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        var mine = new HashSet<int>();
        var range = _options.NodePortMax - _options.NodePortMin + 1;

        // Requested ports first, so an allocated sibling port never takes one of them.
        for (var i = 0; i < wanted.Ports.Length; i++)
        {
            var port = wanted.Ports[i];
            if (port.NodePort is not { } requested)
            {
                continue;
            }

            var field = string.Create(CultureInfo.InvariantCulture, $"spec.ports[{i}].nodePort");
            if (requested < _options.NodePortMin || requested > _options.NodePortMax)
            {
                error = Error(wanted, field, string.Create(CultureInfo.InvariantCulture,
                    $"{requested} is not in the node port range {_options.NodePortMin}-{_options.NodePortMax}; this version is not applied"));
                return false;
            }

            if (ledger.NodePortOwner(requested) is { } holder && holder != wanted.Key)
            {
                error = Error(wanted, field, string.Create(CultureInfo.InvariantCulture,
                    $"node port {requested} of Service {owner} is already allocated to Service {holder.Namespace}/{holder.Name}; this version is not applied"));
                return false;
            }

            result[ServiceAllocation.PortKey(port.Port, port.Protocol)] = requested;
            mine.Add(requested);
        }

        for (var i = 0; i < wanted.Ports.Length; i++)
        {
            var port = wanted.Ports[i];
            var portKey = ServiceAllocation.PortKey(port.Port, port.Protocol);
            if (port.NodePort is not null || result.ContainsKey(portKey))
            {
                continue;
            }

            if (previous is not null && previous.NodePorts.TryGetValue(portKey, out var kept) &&
                kept >= _options.NodePortMin && kept <= _options.NodePortMax && !mine.Contains(kept) &&
                ledger.NodePortFreeFor(kept, owner, ignoreSoft: held))
            {
                result[portKey] = kept;
                mine.Add(kept);
                continue;
            }

            if (AllocateNodePort(owner + "/" + portKey, owner, range, ledger, mine) is not { } allocated)
            {
                error = Error(wanted, string.Create(CultureInfo.InvariantCulture, $"spec.ports[{i}].nodePort"), string.Create(CultureInfo.InvariantCulture,
                    $"no free node port left in {_options.NodePortMin}-{_options.NodePortMax}; this version is not applied"));
                return false;
            }

            result[portKey] = allocated;
            mine.Add(allocated);
        }

        nodePorts = result.ToImmutable();
        return true;
    }

    private int? AllocateNodePort(string seed, string owner, int range, AllocationLedger ledger, HashSet<int> mine)
    {
        var start = (int)(Hash(seed) % (UInt128)range);
        foreach (var ignoreSoft in (bool[])[false, true])
        {
            for (var i = 0; i < range; i++)
            {
                var candidate = _options.NodePortMin + ((start + i) % range);
                if (!mine.Contains(candidate) && ledger.NodePortFreeFor(candidate, owner, ignoreSoft))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>FNV-1a, 64 bits: stable across processes and machines, unlike string.GetHashCode.</summary>
    private static UInt128 Hash(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    private static ResourceError Error(MeshService service, string field, string message) =>
        new(ServiceAdmissionOrigin.Value, null, service.Key, field, message);
}

/// <summary>The origin every admission and allocation error carries in /debug/errors.</summary>
internal static class ServiceAdmissionOrigin
{
    public const string Value = "control-plane: service admission";
}

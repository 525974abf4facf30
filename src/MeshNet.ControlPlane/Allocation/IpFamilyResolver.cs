using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Allocation;

/// <summary>
/// The IP families a Service ends up with on this control plane's service CIDRs: the part of Kubernetes' dual-stack
/// defaulting that depends on the cluster (kube-apiserver's service allocator, "initIPFamilyFields"). The converter
/// has already defaulted what needs no cluster knowledge (an unset policy with two families or two addresses means
/// RequireDualStack). One cluster IP is allocated per resulting family, in this order.
/// </summary>
internal static class IpFamilyResolver
{
    /// <returns>False with <paramref name="error"/> when the Service cannot be served as asked on these CIDRs.</returns>
    public static bool TryResolve(
        MeshService service, AllocationOptions options, out ImmutableArray<IpFamily> families, out (string Field, string Message)? error)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        error = null;
        var given = service.IpFamilies.IsDefault ? [] : service.IpFamilies;
        var requested = ServiceAllocator.RequestedIps(service).ToImmutableArray();
        var policy = service.IpFamilyPolicy;
        if (policy == IpFamilyPolicy.SingleStack && (given.Length > 1 || requested.Length > 1))
        {
            // Only reachable when the policy was left unset (validation refuses an explicit SingleStack with two).
            policy = IpFamilyPolicy.RequireDualStack;
        }

        var result = given.ToBuilder();
        for (var i = 0; i < requested.Length; i++)
        {
            // A malformed address is reported by the address check.
            if (!IPAddress.TryParse(requested[i], out var address))
            {
                continue;
            }

            var family = address.AddressFamily == AddressFamily.InterNetworkV6 ? IpFamily.IPv6 : IpFamily.IPv4;
            if (options.CidrFor(family) is null)
            {
                error = (ServiceAllocator.ClusterIpField(i), NoRange(requested[i], family, options));
                families = [];
                return false;
            }

            if (i >= result.Count)
            {
                result.Add(family);
            }
            else if (result[i] != family)
            {
                error = (ServiceAllocator.ClusterIpField(i), $"{requested[i]} is not an {result[i]} address, as spec.ipFamilies[{Index(i)}] requires; this version is not applied");
                families = [];
                return false;
            }
        }

        if (service.Headless && service.Selector is null)
        {
            // Headless without a selector gets families without any check: it has no address of its own, and
            // Kubernetes allows it a dual-stack policy even on a single-stack cluster.
            Complete(result, policy, options, always: true);
            families = result.ToImmutable();
            return true;
        }

        if (policy == IpFamilyPolicy.RequireDualStack && !options.IsDualStack)
        {
            error = ("spec.ipFamilyPolicy",
                $"RequireDualStack needs an IPv4 and an IPv6 service CIDR, but the service CIDRs are {options.DescribeCidrs()}; this version is not applied");
            families = [];
            return false;
        }

        for (var i = 0; i < given.Length; i++)
        {
            if (options.CidrFor(given[i]) is null)
            {
                error = ($"spec.ipFamilies[{Index(i)}]",
                    $"{given[i]} is not configured: the service CIDRs ({options.DescribeCidrs()}) have no {given[i]} range; this version is not applied");
                families = [];
                return false;
            }
        }

        Complete(result, policy, options, always: false);
        families = result.ToImmutable();
        return true;
    }

    /// <summary>The primary family when none is named; the other family too when the policy asks for dual-stack and it can be had.</summary>
    private static void Complete(ImmutableArray<IpFamily>.Builder families, IpFamilyPolicy policy, AllocationOptions options, bool always)
    {
        if (families.Count == 0)
        {
            families.Add(options.Primary.IpFamily);
        }

        if (policy != IpFamilyPolicy.SingleStack && families.Count == 1 && (always || options.IsDualStack))
        {
            families.Add(families[0] == IpFamily.IPv4 ? IpFamily.IPv6 : IpFamily.IPv4);
        }
    }

    public static string NoRange(string ip, IpFamily family, AllocationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return $"{ip} is an {family} address but the service CIDRs ({options.DescribeCidrs()}) have no range of that family; this version is not applied";
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}

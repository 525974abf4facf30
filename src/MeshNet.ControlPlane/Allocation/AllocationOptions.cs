using System.Collections.Immutable;
using System.Globalization;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Allocation;

/// <summary>Where cluster IPs, node ports and load balancer addresses come from, and where the allocations survive a restart.</summary>
/// <param name="ServiceCidrs">
/// One range per address family, at most one IPv4 and one IPv6. The first is the cluster's primary family, as the
/// first range of kube-apiserver's --service-cluster-ip-range is.
/// </param>
/// <param name="StateDirectory">Null keeps allocations in memory only.</param>
internal sealed record AllocationOptions(
    ImmutableArray<ServiceCidr> ServiceCidrs,
    int NodePortMin,
    int NodePortMax,
    string? StateDirectory)
{
    public const string DefaultServiceCidr = "10.96.0.0/16";

    /// <summary>Loopback, so a gateway can bind the addresses without root and nothing is exposed beyond the machine.</summary>
    public const string DefaultLoadBalancerCidr = "127.0.100.0/24";

    /// <summary>Where LoadBalancer Services get their ingress address when no source provides one.</summary>
    public ServiceCidr LoadBalancerCidr { get; init; } = ServiceCidr.Parse("--load-balancer-cidr", DefaultLoadBalancerCidr);

    public static AllocationOptions Default { get; } = new([ServiceCidr.Parse("--service-cidr", DefaultServiceCidr)], 30000, 32767, null);

    /// <summary>The family a Service gets when it names none.</summary>
    public ServiceCidr Primary => ServiceCidrs[0];

    public bool IsDualStack => ServiceCidrs.Length == 2;

    /// <summary>The range of <paramref name="family"/>, or null when none is configured.</summary>
    public ServiceCidr? CidrFor(IpFamily family) => ServiceCidrs.FirstOrDefault(c => c.IpFamily == family);

    /// <summary>"10.96.0.0/16" or "10.96.0.0/16,fd00:10:96::/112".</summary>
    public static ImmutableArray<ServiceCidr> ParseCidrs(string flag, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var cidrs = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => ServiceCidr.Parse(flag, v))
            .ToImmutableArray();
        if (cidrs.IsEmpty || cidrs.Length > 2 || cidrs.Length == 2 && cidrs[0].Family == cidrs[1].Family)
        {
            throw new FormatException($"{flag}: expected one CIDR, or an IPv4 and an IPv6 CIDR separated by a comma, got \"{value}\"");
        }

        return cidrs;
    }

    /// <summary>"30000-32767".</summary>
    public static (int Min, int Max) ParsePortRange(string flag, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var parts = value.Split('-', 2, StringSplitOptions.TrimEntries);
        if (parts.Length == 2 &&
            int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min) &&
            int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max) &&
            min is >= 1 and <= 65535 && max is >= 1 and <= 65535 && min <= max)
        {
            return (min, max);
        }

        throw new FormatException($"{flag}: expected a port range such as 30000-32767, got \"{value}\"");
    }

    public string DescribeCidrs() => string.Join(",", ServiceCidrs);
}

using System.Globalization;
using System.Net;
using k8s.Models;

namespace MeshNet.Kubernetes.Validation;

/// <summary>The Service rules the mesh relies on, after Kubernetes' ValidateService.</summary>
internal static class ServiceValidator
{
    public static void Validate(V1Service service, FieldErrors errors)
    {
        MetadataValidator.Validate(service.Metadata, NameFormat.Dns1035Label, namespaced: true, errors);
        var spec = service.Spec;
        if (spec is null)
        {
            errors.Add("spec", "required");
            return;
        }

        var type = string.IsNullOrEmpty(spec.Type) ? "ClusterIP" : spec.Type;
        if (type is not ("ClusterIP" or "NodePort" or "LoadBalancer" or "ExternalName"))
        {
            errors.Add("spec.type", $"unsupported type \"{type}\": must be ClusterIP, NodePort, LoadBalancer or ExternalName");
            return;
        }

        var headless = string.Equals(spec.ClusterIP, "None", StringComparison.Ordinal);
        if (type == "ExternalName")
        {
            ValidateExternalName(spec, errors);
        }
        else
        {
            ValidateClusterIPs(spec, errors);
            ValidateIpFamilies(spec, headless, errors);
            if ((spec.Ports is null || spec.Ports.Count == 0) && !headless)
            {
                errors.Add("spec.ports", "required: a Service needs at least one port unless it is headless or ExternalName");
            }
        }

        ValidatePorts(spec.Ports, type, errors);
        MetadataValidator.ValidateLabels(spec.Selector, "spec.selector", errors);
        ValidateSessionAffinity(spec, errors);
    }

    private static void ValidateExternalName(V1ServiceSpec spec, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(spec.ExternalName))
        {
            errors.Add("spec.externalName", "required for type ExternalName");
        }
        else
        {
            // A fully qualified name may end with the root dot.
            errors.Check("spec.externalName", NameRules.Dns1123Subdomain(spec.ExternalName.TrimEnd('.')));
        }

        if (!string.IsNullOrEmpty(spec.ClusterIP) || spec.ClusterIPs is { Count: > 0 })
        {
            errors.Add("spec.clusterIP", "must not be set for type ExternalName");
        }

        if (spec.IpFamilies is { Count: > 0 })
        {
            errors.Add("spec.ipFamilies", "must not be set for type ExternalName");
        }

        if (spec.IpFamilyPolicy is not null)
        {
            errors.Add("spec.ipFamilyPolicy", "must not be set for type ExternalName");
        }
    }

    private static void ValidateClusterIPs(V1ServiceSpec spec, FieldErrors errors)
    {
        if (!string.IsNullOrEmpty(spec.ClusterIP) && spec.ClusterIP != "None")
        {
            errors.Check("spec.clusterIP", NameRules.IP(spec.ClusterIP));
        }

        if (spec.ClusterIPs is null)
        {
            return;
        }

        for (var i = 0; i < spec.ClusterIPs.Count; i++)
        {
            var ip = spec.ClusterIPs[i] ?? string.Empty;
            var path = Indexed("spec.clusterIPs", i);
            if (ip != "None" || i > 0)
            {
                errors.Check(path, NameRules.IP(ip));
            }
            else if (spec.ClusterIPs.Count > 1)
            {
                errors.Add("spec.clusterIPs", "\"None\" must be the first and only value");
            }
        }

        if (!string.IsNullOrEmpty(spec.ClusterIP) && spec.ClusterIPs.Count > 0 && spec.ClusterIPs[0] != spec.ClusterIP)
        {
            errors.Add("spec.clusterIPs[0]", $"must match spec.clusterIP \"{spec.ClusterIP}\"");
        }

        // As the API server has it: at most one address per family, so two entries must be a dual-stack pair.
        if (spec.ClusterIPs.Count > 2)
        {
            errors.Add("spec.clusterIPs", "may hold at most two addresses, one IPv4 and one IPv6");
        }
        else if (spec.ClusterIPs.Count == 2 &&
            IPAddress.TryParse(spec.ClusterIPs[0], out var first) &&
            IPAddress.TryParse(spec.ClusterIPs[1], out var second) &&
            first.AddressFamily == second.AddressFamily)
        {
            errors.Add("spec.clusterIPs[1]", "must be of the other IP family than spec.clusterIPs[0] (a dual-stack pair)");
        }
    }

    /// <summary>
    /// spec.ipFamilyPolicy and spec.ipFamilies on their own and against the cluster IPs, as the API server checks
    /// them before it knows the cluster's service CIDRs (whether a family is configured is the allocator's check).
    /// </summary>
    private static void ValidateIpFamilies(V1ServiceSpec spec, bool headless, FieldErrors errors)
    {
        if (spec.IpFamilyPolicy is { } policy && policy is not ("SingleStack" or "PreferDualStack" or "RequireDualStack"))
        {
            errors.Add("spec.ipFamilyPolicy", $"unsupported value \"{policy}\": must be SingleStack, PreferDualStack or RequireDualStack");
        }

        var families = spec.IpFamilies ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < families.Count; i++)
        {
            var family = families[i] ?? string.Empty;
            if (family is not ("IPv4" or "IPv6"))
            {
                errors.Add(Indexed("spec.ipFamilies", i), $"unsupported value \"{family}\": must be IPv4 or IPv6");
            }
            else if (!seen.Add(family))
            {
                errors.Add(Indexed("spec.ipFamilies", i), $"duplicate family {family}");
            }
        }

        if (families.Count > 2)
        {
            errors.Add("spec.ipFamilies", "may hold at most two families, one IPv4 and one IPv6");
        }

        var ips = EffectiveClusterIPs(spec);
        if (spec.IpFamilyPolicy == "SingleStack" && (families.Count > 1 || ips.Count > 1))
        {
            errors.Add("spec.ipFamilyPolicy", "must be PreferDualStack or RequireDualStack when two IP families are given");
        }

        // A headless Service may name families without having addresses of them.
        if (headless)
        {
            return;
        }

        for (var i = 0; i < Math.Min(ips.Count, families.Count); i++)
        {
            if (!IPAddress.TryParse(ips[i], out var ip) || families[i] is not ("IPv4" or "IPv6"))
            {
                continue;
            }

            var isIPv6 = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            if (isIPv6 != (families[i] == "IPv6"))
            {
                var field = spec.ClusterIPs is { Count: > 0 } ? Indexed("spec.clusterIPs", i) : "spec.clusterIP";
                errors.Add(field, $"{ips[i]} is not an {families[i]} address, as spec.ipFamilies[{i.ToString(CultureInfo.InvariantCulture)}] requires");
            }
        }
    }

    /// <summary>spec.clusterIPs, or spec.clusterIP alone: the API server copies whichever is given into the other.</summary>
    private static IList<string> EffectiveClusterIPs(V1ServiceSpec spec) =>
        spec.ClusterIPs is { Count: > 0 } ? spec.ClusterIPs
        : string.IsNullOrEmpty(spec.ClusterIP) ? []
        : [spec.ClusterIP];

    private static void ValidatePorts(IList<V1ServicePort>? ports, string type, FieldErrors errors)
    {
        if (ports is null)
        {
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var numbers = new HashSet<(int, string)>();
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var path = Indexed("spec.ports", i);
            if (port is null)
            {
                errors.Add(path, "required");
                continue;
            }

            if (string.IsNullOrEmpty(port.Name))
            {
                if (ports.Count > 1)
                {
                    errors.Add($"{path}.name", "required when the Service has more than one port");
                }
            }
            else if (errors.Check($"{path}.name", NameRules.Dns1123Label(port.Name)) && !names.Add(port.Name))
            {
                errors.Add($"{path}.name", $"duplicate port name \"{port.Name}\"");
            }

            var protocol = string.IsNullOrEmpty(port.Protocol) ? "TCP" : port.Protocol;
            errors.Check($"{path}.protocol", NameRules.Protocol(protocol));
            if (errors.Check($"{path}.port", NameRules.PortNumber(port.Port)) && !numbers.Add((port.Port, protocol)))
            {
                errors.Add(path, string.Create(CultureInfo.InvariantCulture, $"duplicate port {port.Port}/{protocol}"));
            }

            ValidateTargetPort(port.TargetPort, $"{path}.targetPort", errors);
            if (port.NodePort is { } nodePort)
            {
                if (type is "ClusterIP" or "ExternalName")
                {
                    errors.Add($"{path}.nodePort", $"must not be set for type {type}");
                }
                else
                {
                    errors.Check($"{path}.nodePort", NameRules.PortNumber(nodePort));
                }
            }
        }
    }

    /// <summary>Unset, 0 and "" all mean "same as port", as Kubernetes' defaulting has it.</summary>
    internal static void ValidateTargetPort(IntOrString? targetPort, string path, FieldErrors errors)
    {
        var value = targetPort?.Value;
        if (string.IsNullOrEmpty(value) || value == "0")
        {
            return;
        }

        errors.Check(path, int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? NameRules.PortNumber(number)
            : NameRules.PortName(value));
    }

    private static void ValidateSessionAffinity(V1ServiceSpec spec, FieldErrors errors)
    {
        var affinity = string.IsNullOrEmpty(spec.SessionAffinity) ? "None" : spec.SessionAffinity;
        if (affinity is not ("None" or "ClientIP"))
        {
            errors.Add("spec.sessionAffinity", $"unsupported value \"{affinity}\": must be None or ClientIP");
        }

        if (spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds is { } timeout)
        {
            const string Path = "spec.sessionAffinityConfig.clientIP.timeoutSeconds";
            if (affinity != "ClientIP")
            {
                errors.Add(Path, "must not be set unless sessionAffinity is ClientIP");
            }
            else if (timeout is < 1 or > 86400)
            {
                errors.Add(Path, string.Create(CultureInfo.InvariantCulture, $"invalid timeout {timeout}: must be 1-86400 seconds"));
            }
        }
    }

    internal static string Indexed(string path, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
}

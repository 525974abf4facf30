using System.Collections.Immutable;
using System.Globalization;
using k8s.Models;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Conversion;

/// <summary>V1Service to <see cref="MeshService"/>, applying Kubernetes' defaults.</summary>
public static class ServiceConverter
{
    /// <summary>spec.sessionAffinityConfig.clientIP.timeoutSeconds when unset: 3 hours, as Kubernetes defaults it.</summary>
    public const int DefaultSessionAffinityTimeoutSeconds = 10800;

    public static MeshService ToMeshService(V1Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var spec = service.Spec ?? new V1ServiceSpec();
        var type = ParseType(spec.Type);
        var clusterIPs = ClusterIPs(spec);
        var headless = IsHeadless(spec);
        var families = spec.IpFamilies is null ? [] : spec.IpFamilies.Select(ParseFamily).OfType<IpFamily>().ToImmutableArray();
        return new MeshService(
            Namespace: ConversionHelpers.NamespaceOf(service.Metadata),
            Name: service.Metadata?.Name ?? string.Empty,
            Type: type,
            // Kubernetes treats an empty selector like none: endpoints then come from EndpointSlices.
            Selector: spec.Selector is { Count: > 0 } ? ConversionHelpers.ToImmutable(spec.Selector) : null,
            Ports: spec.Ports is null ? [] : [.. spec.Ports.Where(p => p is not null).Select(ToServicePort)],
            Headless: headless,
            ClusterIPs: clusterIPs,
            ExternalName: string.IsNullOrEmpty(spec.ExternalName) ? null : spec.ExternalName,
            PublishNotReadyAddresses: spec.PublishNotReadyAddresses ?? false,
            SessionAffinity: string.Equals(spec.SessionAffinity, "ClientIP", StringComparison.Ordinal) ? SessionAffinity.ClientIP : SessionAffinity.None,
            SessionAffinityTimeoutSeconds: spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds ?? DefaultSessionAffinityTimeoutSeconds,
            Labels: ConversionHelpers.ToImmutable(service.Metadata?.Labels),
            IpFamilyPolicy: FamilyPolicy(spec, headless, families.Length, clusterIPs.Length),
            IpFamilies: families,
            LoadBalancerIngress: type == ServiceType.LoadBalancer ? Ingress(service.Status) : []);
    }

    /// <summary>
    /// spec.ipFamilyPolicy, or the API server's default when unset: RequireDualStack when two families or two
    /// addresses are given, or for a headless Service without a selector; else SingleStack. The rest of the
    /// defaulting depends on the cluster's service CIDRs and happens where the addresses are allocated.
    /// </summary>
    private static IpFamilyPolicy FamilyPolicy(V1ServiceSpec spec, bool headless, int families, int clusterIPs) => spec.IpFamilyPolicy switch
    {
        "SingleStack" => IpFamilyPolicy.SingleStack,
        "PreferDualStack" => IpFamilyPolicy.PreferDualStack,
        "RequireDualStack" => IpFamilyPolicy.RequireDualStack,
        _ when families == 2 || clusterIPs == 2 => IpFamilyPolicy.RequireDualStack,
        _ when headless && spec.Selector is not { Count: > 0 } => IpFamilyPolicy.RequireDualStack,
        _ => IpFamilyPolicy.SingleStack,
    };

    private static IpFamily? ParseFamily(string? family) => family switch
    {
        "IPv4" => IpFamily.IPv4,
        "IPv6" => IpFamily.IPv6,
        _ => null,
    };

    /// <summary>Only addresses: an ingress given as a hostname has nothing a gateway could bind.</summary>
    private static ImmutableArray<string> Ingress(V1ServiceStatus? status) =>
        status?.LoadBalancer?.Ingress is { } ingress
            ? [.. ingress.Where(i => !string.IsNullOrEmpty(i?.Ip)).Select(i => i.Ip)]
            : [];

    /// <summary>"None" in spec.clusterIP, or alone in spec.clusterIPs (the API server copies one into the other).</summary>
    private static bool IsHeadless(V1ServiceSpec spec) =>
        string.Equals(spec.ClusterIP, "None", StringComparison.Ordinal) ||
        (string.IsNullOrEmpty(spec.ClusterIP) && spec.ClusterIPs is { Count: > 0 } && spec.ClusterIPs[0] == "None");

    /// <summary>A number stays a number, a name stays a name (resolved per endpoint later); unset, 0 or "" means the service port.</summary>
    public static TargetPort ToTargetPort(IntOrString? targetPort, int servicePort)
    {
        var value = targetPort?.Value;
        if (string.IsNullOrEmpty(value))
        {
            return TargetPort.FromNumber(servicePort);
        }

        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return TargetPort.FromNumber(number == 0 ? servicePort : number);
        }

        return TargetPort.FromName(value);
    }

    private static ServicePort ToServicePort(V1ServicePort port) => new(
        Name: port.Name ?? string.Empty,
        Port: port.Port,
        Protocol: ConversionHelpers.ProtocolOrDefault(port.Protocol),
        TargetPort: ToTargetPort(port.TargetPort, port.Port),
        AppProtocol: string.IsNullOrEmpty(port.AppProtocol) ? null : port.AppProtocol,
        NodePort: port.NodePort);

    private static ServiceType ParseType(string? type) => type switch
    {
        "NodePort" => ServiceType.NodePort,
        "LoadBalancer" => ServiceType.LoadBalancer,
        "ExternalName" => ServiceType.ExternalName,
        _ => ServiceType.ClusterIP,
    };

    private static ImmutableArray<string> ClusterIPs(V1ServiceSpec spec)
    {
        if (spec.ClusterIPs is { Count: > 0 })
        {
            return [.. spec.ClusterIPs.Where(ip => !string.IsNullOrEmpty(ip) && ip != "None")];
        }

        return string.IsNullOrEmpty(spec.ClusterIP) || spec.ClusterIP == "None" ? [] : [spec.ClusterIP];
    }
}

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
        var headless = string.Equals(spec.ClusterIP, "None", StringComparison.Ordinal);
        return new MeshService(
            Namespace: ConversionHelpers.NamespaceOf(service.Metadata),
            Name: service.Metadata?.Name ?? string.Empty,
            Type: ParseType(spec.Type),
            // Kubernetes treats an empty selector like none: endpoints then come from EndpointSlices.
            Selector: spec.Selector is { Count: > 0 } ? ConversionHelpers.ToImmutable(spec.Selector) : null,
            Ports: spec.Ports is null ? [] : [.. spec.Ports.Where(p => p is not null).Select(ToServicePort)],
            Headless: headless,
            ClusterIPs: ClusterIPs(spec),
            ExternalName: string.IsNullOrEmpty(spec.ExternalName) ? null : spec.ExternalName,
            PublishNotReadyAddresses: spec.PublishNotReadyAddresses ?? false,
            SessionAffinity: string.Equals(spec.SessionAffinity, "ClientIP", StringComparison.Ordinal) ? SessionAffinity.ClientIP : SessionAffinity.None,
            SessionAffinityTimeoutSeconds: spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds ?? DefaultSessionAffinityTimeoutSeconds,
            Labels: ConversionHelpers.ToImmutable(service.Metadata?.Labels));
    }

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

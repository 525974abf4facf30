using System.Collections.Immutable;

namespace MeshNet.Model;

public enum ServiceType
{
    ClusterIP,
    NodePort,
    LoadBalancer,
    ExternalName,
}

/// <summary>spec.ipFamilyPolicy.</summary>
public enum IpFamilyPolicy
{
    SingleStack,
    PreferDualStack,
    RequireDualStack,
}

public enum IpFamily
{
    IPv4,
    IPv6,
}

public enum SessionAffinity
{
    None,
    ClientIP,
}

/// <summary>A Kubernetes Service as the mesh sees it.</summary>
/// <param name="Selector">Null when the Service has no selector: its endpoints then come from EndpointSlices.</param>
/// <param name="Headless">spec.clusterIP is "None".</param>
/// <param name="ClusterIPs">
/// spec.clusterIP(s). Universal mode: the addresses requested, empty when the control plane should allocate. Kubernetes
/// mode: what the API server assigned, taken as it is; empty only when it assigned none.
/// </param>
/// <param name="SessionAffinityTimeoutSeconds">spec.sessionAffinityConfig.clientIP.timeoutSeconds, default 10800.</param>
/// <param name="IpFamilyPolicy">spec.ipFamilyPolicy, defaulted as the API server does when not given.</param>
/// <param name="IpFamilies">spec.ipFamilies in order (the first is primary); default or empty when not given.</param>
/// <param name="LoadBalancerIngress">
/// status.loadBalancer.ingress IPs of a LoadBalancer Service: from the API server in Kubernetes mode, allocated by the
/// control plane in universal mode. Default or empty when none.
/// </param>
public sealed record MeshService(
    string Namespace,
    string Name,
    ServiceType Type,
    ImmutableDictionary<string, string>? Selector,
    ImmutableArray<ServicePort> Ports,
    bool Headless,
    ImmutableArray<string> ClusterIPs,
    string? ExternalName,
    bool PublishNotReadyAddresses,
    SessionAffinity SessionAffinity,
    int SessionAffinityTimeoutSeconds,
    ImmutableDictionary<string, string> Labels,
    IpFamilyPolicy IpFamilyPolicy = IpFamilyPolicy.SingleStack,
    ImmutableArray<IpFamily> IpFamilies = default,
    ImmutableArray<string> LoadBalancerIngress = default)
    : MeshResource(new ResourceKey(ResourceKinds.Service, Namespace, Name));

/// <param name="Name">Empty when the Service has a single unnamed port.</param>
/// <param name="Protocol">TCP, UDP or SCTP.</param>
/// <param name="AppProtocol">spec.ports[].appProtocol, or null.</param>
/// <param name="NodePort">Null unless given (or allocated for NodePort/LoadBalancer Services).</param>
public sealed record ServicePort(
    string Name,
    int Port,
    string Protocol,
    TargetPort TargetPort,
    string? AppProtocol,
    int? NodePort);

/// <summary>spec.ports[].targetPort: a number, or the name of a container port. Defaults to the service port.</summary>
public readonly record struct TargetPort
{
    private TargetPort(int number, string? name)
    {
        Number = number;
        Name = name;
    }

    /// <summary>The port number, or 0 when the target port is named.</summary>
    public int Number { get; }

    /// <summary>The container port name, or null when the target port is a number.</summary>
    public string? Name { get; }

    public bool IsNamed => Name is not null;

    public static TargetPort FromNumber(int number) => new(number, null);

    public static TargetPort FromName(string name) => new(0, name);

    public override string ToString() => Name ?? Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

namespace MeshNet.Kubernetes.Injection;

/// <summary>
/// Mesh-wide settings of the injected containers: images, where sidecars find the control plane, the sidecar's
/// ports and its default resources. The same values drive the webhook, <c>meshctl inject</c> and the chart.
/// </summary>
public sealed record InjectionSettings
{
    public string ProxyImage { get; init; } = "ghcr.io/meshnet/proxy:" + DefaultVersion;

    /// <summary>The proxy plus iptables: the sidecar image itself is chiseled and carries no iptables.</summary>
    public string InitImage { get; init; } = "ghcr.io/meshnet/proxy-init:" + DefaultVersion;

    public string ImagePullPolicy { get; init; } = "IfNotPresent";

    /// <summary>The control plane's gRPC address as injected sidecars dial it.</summary>
    public Uri ControlPlane { get; init; } = new("https://meshnet-control.meshnet-system.svc:15010");

    public string TrustDomain { get; init; } = "cluster.local";

    /// <summary>
    /// PEM roots an https:// <see cref="ControlPlane"/> chains to. Carried in the pod's own annotation
    /// <c>meshnet.io/control-plane-ca</c> and mounted through the downward API, because a pod cannot mount a
    /// ConfigMap or Secret of the control plane's namespace. Null: none (plaintext, or roots the image trusts).
    /// </summary>
    public string? ControlPlaneCa { get; init; }

    public string CaDirectory { get; init; } = "/var/run/secrets/meshnet.io/ca";

    /// <summary>The sidecar's uid and gid; the init container's rules let this uid's traffic pass.</summary>
    public int ProxyUid { get; init; } = 1337;

    public int InboundPort { get; init; } = 15006;

    public int OutboundPort { get; init; } = 15001;

    /// <summary>Admin port (probes, metrics, the control plane's view of the sidecar); never intercepted.</summary>
    public int AdminPort { get; init; } = 15000;

    public int DnsPort { get; init; } = 15053;

    public string CpuRequest { get; init; } = "100m";

    public string MemoryRequest { get; init; } = "64Mi";

    /// <summary>Null: no CPU limit (throttling a proxy adds latency to every request through it).</summary>
    public string? CpuLimit { get; init; }

    public string? MemoryLimit { get; init; } = "256Mi";

    /// <summary>Audience of the projected token; the control plane's TokenReview asks for exactly this one.</summary>
    public string TokenAudience { get; init; } = "meshnet";

    /// <summary>The kubelet refreshes the projected token at 80 % of this; 3600 s is the API server's minimum worth using.</summary>
    public long TokenExpirationSeconds { get; init; } = 3600;

    public string TokenDirectory { get; init; } = "/var/run/secrets/meshnet.io/tokens";

    public const string DefaultVersion = "0.1.0";

    public static InjectionSettings Default { get; } = new();
}

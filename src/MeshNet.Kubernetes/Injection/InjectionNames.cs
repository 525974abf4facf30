namespace MeshNet.Kubernetes.Injection;

/// <summary>The annotation, label, container and volume names the injector reads and writes.</summary>
public static class InjectionNames
{
    /// <summary>Namespace label or pod annotation: "enabled" asks for a sidecar, "disabled" refuses one.</summary>
    public const string Inject = "meshnet.io/inject";

    /// <summary>Set on every injected pod; its presence makes a second injection a no-op.</summary>
    public const string Injected = "meshnet.io/injected";

    public const string Enabled = "enabled";
    public const string Disabled = "disabled";

    /// <summary>Set by the injector: the control plane's CA bundle, which the sidecar reads back through the downward API.</summary>
    public const string ControlPlaneCa = "meshnet.io/control-plane-ca";

    public const string ProxyCpuRequest = "meshnet.io/proxy-cpu-request";
    public const string ProxyCpuLimit = "meshnet.io/proxy-cpu-limit";
    public const string ProxyMemoryRequest = "meshnet.io/proxy-memory-request";
    public const string ProxyMemoryLimit = "meshnet.io/proxy-memory-limit";

    public const string ProxyContainer = "meshnet-proxy";
    public const string InitContainer = "meshnet-init";

    /// <summary>Projected service-account token with audience "meshnet" (the control plane's TokenReview input).</summary>
    public const string TokenVolume = "meshnet-token";

    /// <summary>Downward-API volume holding the control-plane CA annotation as a file.</summary>
    public const string CaVolume = "meshnet-ca";

    /// <summary>Writable scratch space, so both containers can run with a read-only root filesystem.</summary>
    public const string ScratchVolume = "meshnet-tmp";

    /// <summary>The <c>kubernetes.io/metadata.name</c> label every namespace carries (Kubernetes 1.21+).</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";
}

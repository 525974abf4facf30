using System.Collections.Immutable;

namespace MeshNet.ControlPlane.Hosting;

/// <summary>--kubernetes, --kubeconfig, --token-audience and --ca-secret.</summary>
/// <param name="Kubeconfig">Null: in-cluster config when running in a pod, else $KUBECONFIG or ~/.kube/config.</param>
/// <param name="TokenAudiences">The audiences a sidecar's ServiceAccount token must be valid for (TokenReview).</param>
internal sealed record KubernetesModeOptions(bool Enabled, string? Kubeconfig, ImmutableArray<string> TokenAudiences)
{
    /// <summary>--ca-secret: the Secret in the control plane's namespace that holds the CA when no --ca-cert is given.</summary>
    public string CaSecret { get; init; } = Identity.CaSecretSource.DefaultName;

    /// <summary>
    /// Universal-mode flags given together with --kubernetes. The API server allocates cluster IPs and node ports in
    /// the cluster's own ranges and a load balancer controller assigns ingress addresses, so these are accepted (a
    /// command line that had them keeps starting) but ignored, with one log line naming them.
    /// </summary>
    public ImmutableArray<string> IgnoredFlags { get; init; } = [];

    /// <summary>Flags that configure the control plane's own allocator, which only universal mode uses.</summary>
    public static ImmutableArray<string> UniversalOnlyFlags { get; } = ["--service-cidr", "--node-port-range", "--load-balancer-cidr"];

    /// <summary>The audience of the projected token the injector mounts into sidecars.</summary>
    public const string DefaultTokenAudience = "meshnet";

    public static KubernetesModeOptions Default { get; } = new(false, null, [DefaultTokenAudience]);

    /// <summary>"meshnet" or "meshnet,https://kubernetes.default.svc".</summary>
    public static ImmutableArray<string> ParseAudiences(string flag, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var audiences = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableArray();
        return audiences.IsEmpty ? throw new FormatException($"{flag}: expected one or more audiences separated by commas") : audiences;
    }

    /// <summary>The combinations that make no sense, as a message naming the flags; null when fine.</summary>
    public string? Conflict(string? configDirectory) =>
        Kubeconfig is not null && !Enabled ? "--kubeconfig: only with --kubernetes"
        : CaSecret != Identity.CaSecretSource.DefaultName && !Enabled ? "--ca-secret: only with --kubernetes"
        : Enabled && configDirectory is not null ? "--config and --kubernetes: choose one source of resources"
        : null;
}

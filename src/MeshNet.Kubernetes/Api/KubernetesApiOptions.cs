namespace MeshNet.Kubernetes.Api;

/// <summary>How the control plane reaches the API server in Kubernetes mode.</summary>
/// <param name="KubeconfigPath">A kubeconfig file (its current context); null: in-cluster config when running in a pod, else $KUBECONFIG or ~/.kube/config.</param>
public sealed record KubernetesApiOptions(string? KubeconfigPath)
{
    /// <summary>Write Accepted conditions to the MeshNet CRDs' status (needs RBAC patch on their status subresource).</summary>
    public bool WriteStatus { get; init; } = true;

    /// <summary>Backoff of the watchers and the status writer after consecutive failures.</summary>
    public TimeSpan BackoffInitial { get; init; } = WatchBackoff.Default.Initial;

    public TimeSpan BackoffMax { get; init; } = WatchBackoff.Default.Max;

    internal WatchBackoff Backoff => new(BackoffInitial, BackoffMax);
}

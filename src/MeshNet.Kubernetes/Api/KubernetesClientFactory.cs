using k8s;

namespace MeshNet.Kubernetes.Api;

/// <summary>The one place a KubernetesClient is configured: from a kubeconfig file, in-cluster, or the default kubeconfig.</summary>
public static class KubernetesClientFactory
{
    /// <exception cref="k8s.Exceptions.KubeConfigException">The kubeconfig cannot be read or names no usable context.</exception>
    public static IKubernetes Create(KubernetesApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = options.KubeconfigPath is { } path
            ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path)
            : KubernetesClientConfiguration.IsInCluster()
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildDefaultConfig();
        return new k8s.Kubernetes(config);
    }
}

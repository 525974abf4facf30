using MeshNet.Model;

namespace MeshNet.Kubernetes.Api.Status;

/// <summary>
/// The control plane's verdict on MeshNet's policy resources, reported after every batch it applies. The control
/// plane decides acceptance (a TrafficPolicy may name a Service that does not exist, or lose a conflict); the
/// Kubernetes source turns the verdict into status conditions.
/// </summary>
public interface IResourceAcceptanceObserver
{
    /// <summary>Must return quickly: it is called on the control plane's update loop.</summary>
    /// <param name="current">
    /// The version of a TrafficPolicy, TrafficRoute or AuthorizationPolicy the control plane's snapshot now holds
    /// (the version it judged), or null when it holds none.
    /// </param>
    /// <param name="errors">Every current error of the control plane, from every origin.</param>
    void Applied(Func<ResourceKey, MeshResource?> current, IReadOnlyList<ResourceError> errors);
}

using k8s;
using k8s.Models;
using MeshNet.Kubernetes.Crds;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Conversion;

/// <summary>Dispatches a KubernetesClient object to its converter; the edge past which no API type travels.</summary>
public static class MeshResourceConverter
{
    /// <summary>
    /// The mesh resource for a Namespace, Service, Pod, EndpointSlice, TrafficPolicy, TrafficRoute or AuthorizationPolicy; null for
    /// other kinds (Deployments, StatefulSets).
    /// </summary>
    public static MeshResource? TryConvert(IKubernetesObject<V1ObjectMeta> resource) => resource switch
    {
        V1Namespace ns => NamespaceConverter.ToMeshNamespace(ns),
        V1Service service => ServiceConverter.ToMeshService(service),
        V1Pod pod => WorkloadConverter.ToWorkload(pod),
        V1EndpointSlice slice => EndpointSetConverter.ToEndpointSet(slice),
        V1alpha1TrafficPolicy policy => TrafficPolicyConverter.ToTrafficPolicy(policy),
        V1alpha1TrafficRoute route => TrafficRouteConverter.ToTrafficRoute(route),
        V1alpha1AuthorizationPolicy policy => AuthorizationPolicyConverter.ToAuthorizationPolicy(policy),
        _ => null,
    };

    /// <summary>True for the kinds <see cref="TryConvert"/> turns into mesh resources.</summary>
    public static bool IsMeshKind(string kind) =>
        kind is ResourceKinds.Namespace or ResourceKinds.Service or ResourceKinds.Pod or ResourceKinds.EndpointSlice
            or ResourceKinds.TrafficPolicy or ResourceKinds.TrafficRoute or ResourceKinds.AuthorizationPolicy;
}

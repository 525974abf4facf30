using System.Text.Json;
using k8s;
using k8s.Models;
using MeshNet.Kubernetes.Crds;
using MeshNet.Kubernetes.Validation;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Manifests;

/// <summary>One apiVersion/kind the manifest loader accepts, with how to read and validate it.</summary>
internal sealed record ManifestKind(
    string ApiVersion,
    string Kind,
    Type Type,
    bool Namespaced,
    Func<JsonElement, IReadOnlyList<FieldError>> CheckSchema,
    Func<JsonElement, IKubernetesObject<V1ObjectMeta>> Deserialize,
    Action<IKubernetesObject<V1ObjectMeta>, FieldErrors> Validate);

internal static class ManifestKinds
{
    /// <summary>Deployments are not mesh resources; the local runner starts their pods.</summary>
    public const string Deployment = "Deployment";

    /// <summary>Like Deployments, StatefulSets are expanded into pods by the local runner.</summary>
    public const string StatefulSet = "StatefulSet";

    public static IReadOnlyList<ManifestKind> All { get; } =
    [
        Create<V1Namespace>("v1", ResourceKinds.Namespace, namespaced: false, NamespaceValidator.Validate),
        Create<V1Service>("v1", ResourceKinds.Service, namespaced: true, ServiceValidator.Validate),
        Create<V1Pod>("v1", ResourceKinds.Pod, namespaced: true, PodValidator.Validate),
        Create<V1EndpointSlice>("discovery.k8s.io/v1", ResourceKinds.EndpointSlice, namespaced: true, EndpointSliceValidator.Validate),
        Create<V1Deployment>("apps/v1", Deployment, namespaced: true, DeploymentValidator.Validate),
        Create<V1StatefulSet>("apps/v1", StatefulSet, namespaced: true, StatefulSetValidator.Validate),
        CreateCustom<V1alpha1TrafficPolicy>(CrdSchemas.TrafficPolicy, TrafficPolicyValidator.Validate),
        CreateCustom<V1alpha1TrafficRoute>(CrdSchemas.TrafficRoute, TrafficRouteValidator.Validate),
        CreateCustom<V1alpha1AuthorizationPolicy>(CrdSchemas.AuthorizationPolicy, AuthorizationPolicyValidator.Validate),
    ];

    public static string Supported { get; } = string.Join(", ", All.Select(k => $"{k.ApiVersion} {k.Kind}"));

    public static ManifestKind? Find(string kind) => All.FirstOrDefault(k => string.Equals(k.Kind, kind, StringComparison.Ordinal));

    private static ManifestKind Create<T>(string apiVersion, string kind, bool namespaced, Action<T, FieldErrors> validate)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(apiVersion, kind, typeof(T), namespaced,
            element => SchemaChecker.Check(element, typeof(T)),
            element => KubernetesJson.Deserialize<T>(element),
            (resource, errors) => validate((T)resource, errors));

    /// <summary>A MeshNet custom resource: its CRD's schema is the strict field check.</summary>
    private static ManifestKind CreateCustom<T>(CrdDefinition crd, Action<T, FieldErrors> validate)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(crd.ApiVersion, crd.Kind, typeof(T), crd.Namespaced,
            element => CrdSchemaChecker.Check(element, crd.Schema),
            element => KubernetesJson.Deserialize<T>(element),
            (resource, errors) => validate((T)resource, errors));
}

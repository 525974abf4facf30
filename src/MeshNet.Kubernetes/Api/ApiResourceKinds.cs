using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;
using MeshNet.Kubernetes.Crds;
using MeshNet.Kubernetes.Manifests;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Api;

/// <summary>The resource types the control plane watches in Kubernetes mode, all namespaces at once.</summary>
internal static class ApiResourceKinds
{
    /// <summary>
    /// Objects per LIST page: a few hundred keep each response (and the memory it takes to decode) small on clusters
    /// with tens of thousands of pods, at one round trip per page.
    /// </summary>
    public const int PageSize = 500;

    /// <summary>
    /// The server ends a watch after this long (it picks a random 5-10 minutes when none is asked for); the watcher
    /// then resumes from its last resourceVersion, so a half-open connection is noticed within this bound.
    /// </summary>
    public const int WatchTimeoutSeconds = 300;

    /// <summary>
    /// Finished pods (completed Jobs, evicted pods) are never endpoints and can be most of a cluster's pods; the API
    /// server drops them from the list and sends a DELETED event when a watched pod finishes.
    /// </summary>
    public const string PodFieldSelector = "status.phase!=Succeeded,status.phase!=Failed";

    public static IReadOnlyList<ApiResourceKind> All { get; } =
    [
        Typed<V1Namespace, V1NamespaceList>(
            "namespaces",
            ResourceKinds.Namespace,
            (c, next, ct) => c.CoreV1.ListNamespaceAsync(continueParameter: next, limit: PageSize, cancellationToken: ct),
            (c, rv, onError, ct) => c.CoreV1.WatchListNamespaceAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchTimeoutSeconds, onError: onError, cancellationToken: ct)),
        Typed<V1Service, V1ServiceList>(
            "services",
            ResourceKinds.Service,
            (c, next, ct) => c.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: next, limit: PageSize, cancellationToken: ct),
            (c, rv, onError, ct) => c.CoreV1.WatchListServiceForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchTimeoutSeconds, onError: onError, cancellationToken: ct)),
        Typed<V1EndpointSlice, V1EndpointSliceList>(
            "endpointslices",
            ResourceKinds.EndpointSlice,
            (c, next, ct) => c.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(continueParameter: next, limit: PageSize, cancellationToken: ct),
            (c, rv, onError, ct) => c.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchTimeoutSeconds, onError: onError, cancellationToken: ct)),
        Typed<V1Pod, V1PodList>(
            "pods",
            ResourceKinds.Pod,
            (c, next, ct) => c.CoreV1.ListPodForAllNamespacesAsync(continueParameter: next, fieldSelector: PodFieldSelector, limit: PageSize, cancellationToken: ct),
            (c, rv, onError, ct) => c.CoreV1.WatchListPodForAllNamespacesAsync(
                allowWatchBookmarks: true, fieldSelector: PodFieldSelector, resourceVersion: rv, timeoutSeconds: WatchTimeoutSeconds, onError: onError, cancellationToken: ct)),
        Custom<V1alpha1TrafficPolicy>(CrdSchemas.TrafficPolicy),
        Custom<V1alpha1TrafficRoute>(CrdSchemas.TrafficRoute),
        Custom<V1alpha1AuthorizationPolicy>(CrdSchemas.AuthorizationPolicy),
    ];

    public static ApiResourceKind? Find(string kind) => All.FirstOrDefault(k => string.Equals(k.Kind, kind, StringComparison.Ordinal));

    private static ApiResourceKind Typed<T, TList>(
        string resource,
        string kind,
        Func<IKubernetes, string?, CancellationToken, Task<TList>> list,
        Func<IKubernetes, string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : IMetadata<V1ListMeta>, IItems<T> =>
        new(
            resource,
            ManifestKinds.Find(kind) ?? throw new InvalidOperationException($"no manifest kind {kind}"),
            async (client, next, ct) =>
            {
                var page = await list(client, next, ct).ConfigureAwait(false);
                return new ApiListPage([.. page.Items ?? []], page.Metadata?.ResourceVersion, page.Metadata?.ContinueProperty);
            },
            (client, rv, onError, ct) => Adapt(watch(client, rv, onError, ct), static o => o, ct));

    /// <summary>
    /// A MeshNet CRD through the custom objects API. Objects arrive as JSON and are read into the CRD's class with
    /// KubernetesClient's serializer, as manifests are.
    /// </summary>
    private static ApiResourceKind Custom<T>(CrdDefinition crd)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(
            crd.Plural,
            ManifestKinds.Find(crd.Kind) ?? throw new InvalidOperationException($"no manifest kind {crd.Kind}"),
            async (client, next, ct) =>
            {
                var page = await client.CustomObjects.ListCustomObjectForAllNamespacesAsync<MeshCustomResourceList<T>>(
                    group: crd.Group, version: crd.Version, resourcePlural: crd.Plural, continueParameter: next, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
                return new ApiListPage([.. page.Items ?? []], page.Metadata?.ResourceVersion, page.Metadata?.ContinueProperty);
            },
            (client, rv, onError, ct) => Adapt(
                client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(
                    group: crd.Group, version: crd.Version, resourcePlural: crd.Plural,
                    allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchTimeoutSeconds, onError: onError, cancellationToken: ct),
                ToCustom<T>,
                ct));

    private static T ToCustom<T>(object item)
        where T : class, IKubernetesObject<V1ObjectMeta> => item switch
        {
            T typed => typed,
            JsonElement json => KubernetesJson.Deserialize<T>(json.GetRawText()),
            _ => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(item)),
        };

    private static async IAsyncEnumerable<ApiWatchEvent> Adapt<T>(
        IAsyncEnumerable<(WatchEventType Type, T Object)> events,
        Func<T, IKubernetesObject<V1ObjectMeta>> convert,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (type, item) in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (item is not null)
            {
                yield return new ApiWatchEvent(type, convert(item));
            }
        }
    }
}

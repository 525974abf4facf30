using System.Collections.Immutable;
using k8s.Models;
using MeshNet.Kubernetes.Conversion;
using MeshNet.Kubernetes.Manifests;
using MeshNet.Model;
using MeshNet.Model.Security;
using MeshNet.Model.Traffic;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>The mesh model analyze looks at: from a manifest directory, or from the control plane's current state.</summary>
/// <param name="Workloads">Pods, registered sidecars and (offline) one stand-in per Deployment/StatefulSet template.</param>
/// <param name="Live">
/// True when the workloads' readiness is real (the control plane's view): only then is "every endpoint not ready"
/// a finding, since a manifest Pod without status is never ready.
/// </param>
public sealed record AnalysisInput(
    ImmutableArray<MeshService> Services,
    ImmutableArray<Workload> Workloads,
    ImmutableArray<EndpointSet> EndpointSets,
    ImmutableArray<MeshNamespace> Namespaces,
    ImmutableArray<TrafficPolicy> TrafficPolicies,
    ImmutableArray<TrafficRoute> TrafficRoutes,
    ImmutableArray<AuthorizationPolicy> AuthorizationPolicies,
    ImmutableArray<ResourceError> Errors,
    bool Live)
{
    /// <summary>What a manifest directory defines, through the same loader and validators the control plane uses.</summary>
    public static AnalysisInput FromManifests(ManifestSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var resources = set.MeshResources.ToList();
        var templates = set.Deployments.Select(d => TemplateWorkload(d.Metadata, d.Spec?.Template))
            .Concat(set.Objects.Select(o => o.Resource).OfType<V1StatefulSet>().Select(s => TemplateWorkload(s.Metadata, s.Spec?.Template)))
            .OfType<Workload>();
        return new AnalysisInput(
            [.. resources.OfType<MeshService>()],
            [.. resources.OfType<Workload>().Concat(templates)],
            [.. resources.OfType<EndpointSet>()],
            [.. resources.OfType<MeshNamespace>()],
            [.. resources.OfType<TrafficPolicy>()],
            [.. resources.OfType<TrafficRoute>()],
            [.. resources.OfType<AuthorizationPolicy>()],
            set.Errors,
            Live: false);
    }

    /// <summary>
    /// A Deployment's pods do not exist in a manifest directory; its template stands for them (named after the
    /// controller, kind Deployment/StatefulSet) so selectors and named ports can be checked against it.
    /// </summary>
    private static Workload? TemplateWorkload(V1ObjectMeta? owner, V1PodTemplateSpec? template)
    {
        if (owner?.Name is null || template?.Spec is null)
        {
            return null;
        }

        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = owner.Name, NamespaceProperty = owner.NamespaceProperty ?? "default", Labels = template.Metadata?.Labels },
            Spec = template.Spec,
        };
        return WorkloadConverter.ToWorkload(pod);
    }
}

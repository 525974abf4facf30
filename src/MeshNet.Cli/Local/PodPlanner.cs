using System.Collections.Immutable;
using k8s.Models;

namespace MeshNet.Cli.Local;

/// <summary>
/// Expands Deployments into the pods a ReplicaSet would create, StatefulSets into their ordinal pods (and takes bare Pods as they are), each with a loopback pod IP, its containers as
/// processes (environment resolved) and its sidecar's settings. Pure apart from the injected name and address
/// sources, so a plan can be asserted without starting anything.
/// </summary>
/// <param name="netns">In netns mode, where each pod's sidecar and containers run; null for loopback mode.</param>
internal sealed class PodPlanner(
    PodAddressPool addresses,
    Func<string> randomSuffix,
    Func<string, string> resolveAssembly,
    Func<PodIdentity, NetnsSidecar>? netns = null)
{
    public const string OutboundVariable = "MESHNET_OUTBOUND";
    public const int DefaultAppPort = 80;

    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";

    public IReadOnlyList<PodPlan> Plan(IEnumerable<V1Deployment> deployments) => Plan(deployments, []);

    public IReadOnlyList<PodPlan> Plan(IEnumerable<V1Deployment> deployments, IEnumerable<V1Pod> pods) => Plan(deployments, pods, []);

    /// <summary>
    /// Every Deployment's replicas, then every StatefulSet's pods (&lt;name&gt;-&lt;ordinal&gt;), then every bare Pod
    /// (named as written, e.g. a StatefulSet-style "db-0").
    /// </summary>
    public IReadOnlyList<PodPlan> Plan(IEnumerable<V1Deployment> deployments, IEnumerable<V1Pod> pods, IEnumerable<V1StatefulSet> statefulSets)
    {
        var plans = new List<PodPlan>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var barePods = pods.ToList();
        foreach (var pod in barePods)
        {
            names.Add($"{pod.Metadata?.NamespaceProperty ?? "default"}/{pod.Metadata?.Name}");
        }

        var statefulPods = statefulSets.SelectMany(StatefulSetPods).ToList();
        foreach (var pod in statefulPods)
        {
            if (!names.Add($"{pod.Namespace}/{pod.PodName}"))
            {
                throw new ManifestException($"StatefulSet {pod.Namespace}/{pod.Owner}: its pod {pod.PodName} has the name of another Pod");
            }
        }

        foreach (var deployment in deployments)
        {
            var name = deployment.Metadata?.Name ?? throw new ManifestException("a Deployment has no metadata.name");
            var template = deployment.Spec?.Template ?? throw new ManifestException($"Deployment {name} has no spec.template");
            var spec = template.Spec ?? throw new ManifestException($"Deployment {name} has no spec.template.spec");
            var ns = deployment.Metadata.NamespaceProperty ?? "default";
            var hash = PodNames.TemplateHash(template);
            for (var replica = 0; replica < (deployment.Spec.Replicas ?? 1); replica++)
            {
                string podName;
                do
                {
                    podName = PodNames.PodName(name, hash, randomSuffix());
                }
                while (!names.Add($"{ns}/{podName}"));

                plans.Add(PlanPod(name, ns, podName, template.Metadata?.Labels, spec, annotations: template.Metadata?.Annotations, templateHash: hash));
            }
        }

        foreach (var pod in statefulPods)
        {
            plans.Add(PlanPod(pod.Owner, pod.Namespace, pod.PodName, pod.Labels, pod.Spec, pod.PodName, pod.Subdomain, pod.Annotations));
        }

        foreach (var pod in barePods)
        {
            var name = pod.Metadata?.Name ?? throw new ManifestException("a Pod has no metadata.name");
            var spec = pod.Spec ?? throw new ManifestException($"Pod {name} has no spec");
            plans.Add(PlanPod(name, pod.Metadata.NamespaceProperty ?? "default", name, pod.Metadata.Labels, spec, spec.Hostname, spec.Subdomain, pod.Metadata.Annotations));
        }

        return plans;
    }

    /// <summary>
    /// The pods a StatefulSet controller creates: ordinals from spec.ordinals.start, hostname = pod name, subdomain =
    /// spec.serviceName, and the per-pod labels Kubernetes adds (so a Service can select one pod).
    /// </summary>
    private static IEnumerable<StatefulPod> StatefulSetPods(V1StatefulSet statefulSet)
    {
        var name = statefulSet.Metadata?.Name ?? throw new ManifestException("a StatefulSet has no metadata.name");
        var template = statefulSet.Spec?.Template ?? throw new ManifestException($"StatefulSet {name} has no spec.template");
        var spec = template.Spec ?? throw new ManifestException($"StatefulSet {name} has no spec.template.spec");
        var ns = statefulSet.Metadata.NamespaceProperty ?? "default";
        var start = statefulSet.Spec.Ordinals?.Start ?? 0;
        var subdomain = string.IsNullOrEmpty(statefulSet.Spec.ServiceName) ? null : statefulSet.Spec.ServiceName;
        for (var index = 0; index < (statefulSet.Spec.Replicas ?? 1); index++)
        {
            var ordinal = (start + index).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var podName = $"{name}-{ordinal}";
            var labels = new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [PodNameLabel] = podName,
                [PodIndexLabel] = ordinal,
            };
            yield return new StatefulPod(name, ns, podName, subdomain, labels, spec, template.Metadata?.Annotations);
        }
    }

    private PodPlan PlanPod(
        string owner,
        string ns,
        string podName,
        IDictionary<string, string>? labels,
        V1PodSpec spec,
        string? hostname = null,
        string? subdomain = null,
        IDictionary<string, string>? annotations = null,
        string? templateHash = null)
    {
        var pod = new PodIdentity(
            podName,
            ns,
            addresses.Next().ToString(),
            spec.ServiceAccountName is { Length: > 0 } account ? account : "default",
            (labels ?? new Dictionary<string, string>()).ToImmutableSortedDictionary(StringComparer.Ordinal),
            string.IsNullOrEmpty(hostname) ? null : hostname,
            string.IsNullOrEmpty(subdomain) ? null : subdomain,
            annotations is null || annotations.Count == 0 ? null : annotations.ToImmutableSortedDictionary(StringComparer.Ordinal));

        var containers = spec.Containers ?? [];
        var ports = containers.SelectMany(c => c.Ports ?? []).ToList();
        var sidecar = new SidecarSettings(
            pod,
            ports.Count > 0 ? ports[0].ContainerPort : DefaultAppPort,
            [.. ports.Where(p => !string.IsNullOrEmpty(p.Name)).Select(p => new KeyValuePair<string, int>(p.Name, p.ContainerPort))],
            containers.Select(c => c.ReadinessProbe?.HttpGet?.Path).FirstOrDefault(p => p is not null),
            netns?.Invoke(pod),
            TemplateHash: templateHash);

        var processes = containers.Select(container => PlanContainer(container, pod, containers.Count, sidecar)).ToImmutableArray();
        return new PodPlan(owner, pod, processes, sidecar);
    }

    private ProcessSpec PlanContainer(V1Container container, PodIdentity pod, int containerCount, SidecarSettings sidecar)
    {
        var (fileName, arguments) = ContainerCommand.Resolve(container, resolveAssembly);
        var environment = ContainerEnvironment.Resolve(container, pod).ToList();
        if (sidecar.Netns is null)
        {
            environment.Add(new(OutboundVariable, sidecar.OutboundUrl.ToString().TrimEnd('/')));
        }

        // In a namespace the app is intercepted like in a cluster, so it calls http://posts.blog/ directly.
        var spec = new ProcessSpec(
            containerCount == 1 ? pod.Name : $"{pod.Name}/{container.Name}",
            fileName,
            [.. arguments],
            [.. environment]);
        return sidecar.Netns is null ? spec : Netns.PodNetwork.InNamespace(sidecar.Netns.Namespace, spec);
    }
}

/// <summary>One pod of a StatefulSet, before it gets an address.</summary>
internal sealed record StatefulPod(
    string Owner, string Namespace, string PodName, string? Subdomain, IDictionary<string, string> Labels, V1PodSpec Spec, IDictionary<string, string>? Annotations);

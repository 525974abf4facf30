using System.Collections.Immutable;
using k8s.Models;

namespace MeshNet.Cli.Local;

/// <summary>
/// Expands Deployments into the pods a ReplicaSet would create, each with a loopback pod IP, its containers as
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

    public IReadOnlyList<PodPlan> Plan(IEnumerable<V1Deployment> deployments)
    {
        var plans = new List<PodPlan>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var deployment in deployments)
        {
            var name = deployment.Metadata?.Name ?? throw new ManifestException("a Deployment has no metadata.name");
            var template = deployment.Spec?.Template ?? throw new ManifestException($"Deployment {name} has no spec.template");
            var hash = PodNames.TemplateHash(template);
            for (var replica = 0; replica < (deployment.Spec.Replicas ?? 1); replica++)
            {
                string podName;
                do
                {
                    podName = PodNames.PodName(name, hash, randomSuffix());
                }
                while (!names.Add(podName));

                plans.Add(PlanPod(deployment, template, podName));
            }
        }

        return plans;
    }

    private PodPlan PlanPod(V1Deployment deployment, V1PodTemplateSpec template, string podName)
    {
        var spec = template.Spec ?? throw new ManifestException($"Deployment {deployment.Metadata.Name} has no spec.template.spec");
        var pod = new PodIdentity(
            podName,
            deployment.Metadata.NamespaceProperty ?? "default",
            addresses.Next().ToString(),
            spec.ServiceAccountName is { Length: > 0 } account ? account : "default",
            (template.Metadata?.Labels ?? new Dictionary<string, string>()).ToImmutableSortedDictionary(StringComparer.Ordinal));

        var containers = spec.Containers ?? [];
        var ports = containers.SelectMany(c => c.Ports ?? []).ToList();
        var sidecar = new SidecarSettings(
            pod,
            ports.Count > 0 ? ports[0].ContainerPort : DefaultAppPort,
            [.. ports.Where(p => !string.IsNullOrEmpty(p.Name)).Select(p => new KeyValuePair<string, int>(p.Name, p.ContainerPort))],
            containers.Select(c => c.ReadinessProbe?.HttpGet?.Path).FirstOrDefault(p => p is not null),
            netns?.Invoke(pod));

        var processes = containers.Select(container => PlanContainer(container, pod, containers.Count, sidecar)).ToImmutableArray();
        return new PodPlan(deployment.Metadata.Name, pod, processes, sidecar);
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

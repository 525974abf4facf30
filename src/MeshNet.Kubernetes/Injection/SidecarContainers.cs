using System.Globalization;
using k8s.Models;

namespace MeshNet.Kubernetes.Injection;

/// <summary>The containers and volumes the injector adds, built from the pod's spec and the mesh settings.</summary>
internal static class SidecarContainers
{
    private const string ScratchMountPath = "/tmp";
    private const string CaFileName = "ca.pem";

    /// <summary>
    /// <c>meshnet-proxy init</c>: installs the pod's nat rules, then exits. It runs as root because iptables needs
    /// CAP_NET_ADMIN and CAP_NET_RAW in the pod's network namespace, and Kubernetes only grants added capabilities
    /// to the effective set of uid 0 (a non-root process would get them in its bounding set alone). Everything else
    /// is taken away: all other capabilities dropped, no privilege escalation, read-only root filesystem.
    /// </summary>
    public static V1Container Init(InjectionSettings settings)
    {
        string[] args =
        [
            "init",
            "--inbound-port", Text(settings.InboundPort),
            "--outbound-port", Text(settings.OutboundPort),
            "--dns-port", Text(settings.DnsPort),
            "--proxy-uid", Text(settings.ProxyUid),
            "--proxy-gid", Text(settings.ProxyUid),
            // The kubelet's probes and the control plane reach the admin port directly.
            "--exclude-inbound-ports", Text(settings.AdminPort),
        ];
        return new V1Container
        {
            Name = InjectionNames.InitContainer,
            Image = settings.InitImage,
            ImagePullPolicy = settings.ImagePullPolicy,
            Args = args,
            Resources = new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("32Mi") },
                Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") },
            },
            SecurityContext = new V1SecurityContext
            {
                RunAsUser = 0,
                RunAsGroup = 0,
                RunAsNonRoot = false,
                Privileged = false,
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                Capabilities = new V1Capabilities { Add = ["NET_ADMIN", "NET_RAW"], Drop = ["ALL"] },
            },
            // iptables takes its lock under /run; the root filesystem stays read-only.
            VolumeMounts = [new V1VolumeMount { Name = InjectionNames.ScratchVolume, MountPath = "/run", SubPath = "run" }],
        };
    }

    /// <summary>
    /// The sidecar as a native sidecar (an init container with restartPolicy Always, Kubernetes 1.29+): it starts,
    /// and passes its startup probe (first config applied), before later init containers and the app, and it does
    /// not keep a Job's pod alive once the app has exited.
    /// </summary>
    public static V1Container Proxy(V1ObjectMeta? metadata, V1PodSpec spec, V1ResourceRequirements resources, InjectionSettings settings)
    {
        var args = new List<string>
        {
            "--control-plane", settings.ControlPlane.ToString().TrimEnd('/'),
            "--name", "$(POD_NAME)",
            "--namespace", "$(POD_NAMESPACE)",
            "--service-account", "$(SERVICE_ACCOUNT)",
            "--app-address", "$(POD_IP)",
            "--inbound", "$(POD_IP):" + Text(settings.InboundPort),
            "--outbound", "127.0.0.1:" + Text(settings.OutboundPort),
            "--admin", "$(POD_IP):" + Text(settings.AdminPort),
            "--dns", "127.0.0.1:" + Text(settings.DnsPort),
            "--trust-domain", settings.TrustDomain,
        };
        if (metadata?.Labels is { Count: > 0 } labels)
        {
            args.Add("--labels");
            args.Add(string.Join(',', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
        }

        if (!string.IsNullOrEmpty(spec.Hostname))
        {
            args.AddRange(["--hostname", spec.Hostname]);
        }

        if (!string.IsNullOrEmpty(spec.Subdomain))
        {
            args.AddRange(["--subdomain", spec.Subdomain]);
        }

        var appPorts = (spec.Containers ?? []).SelectMany(c => c.Ports ?? []).Where(p => p.Protocol is null or "TCP").ToList();
        if (appPorts.Count > 0)
        {
            args.AddRange(["--app-port", Text(appPorts[0].ContainerPort)]);
        }

        foreach (var port in appPorts.Where(p => !string.IsNullOrEmpty(p.Name)).DistinctBy(p => p.Name))
        {
            args.AddRange(["--port", $"{port.Name}={Text(port.ContainerPort)}"]);
        }

        List<V1EnvVar> env =
        [
            FieldEnv("POD_NAME", "metadata.name"),
            FieldEnv("POD_NAMESPACE", "metadata.namespace"),
            FieldEnv("POD_IP", "status.podIP"),
            FieldEnv("SERVICE_ACCOUNT", "spec.serviceAccountName"),
        ];
        if (settings.ControlPlaneCa is not null)
        {
            // The environment rather than --control-plane-ca: a sidecar image that predates the flag ignores it.
            env.Add(new V1EnvVar { Name = "MESHNET_CONTROL_PLANE_CA", Value = $"{settings.CaDirectory}/{CaFileName}" });
        }

        List<V1VolumeMount> mounts =
        [
            new V1VolumeMount { Name = InjectionNames.TokenVolume, MountPath = settings.TokenDirectory, ReadOnlyProperty = true },
            new V1VolumeMount { Name = InjectionNames.ScratchVolume, MountPath = ScratchMountPath, SubPath = "tmp" },
        ];
        return new V1Container
        {
            Name = InjectionNames.ProxyContainer,
            Image = settings.ProxyImage,
            ImagePullPolicy = settings.ImagePullPolicy,
            RestartPolicy = "Always",
            Args = args,
            Env = env,
            Ports = [new V1ContainerPort { Name = "meshnet-admin", ContainerPort = settings.AdminPort, Protocol = "TCP" }],
            Resources = resources,
            SecurityContext = new V1SecurityContext
            {
                RunAsUser = settings.ProxyUid,
                RunAsGroup = settings.ProxyUid,
                RunAsNonRoot = true,
                Privileged = false,
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
            // Startup: up to 2 minutes for the first config; the app does not start before it.
            StartupProbe = AdminProbe("/ready", settings, periodSeconds: 1, failureThreshold: 120),
            ReadinessProbe = AdminProbe("/ready", settings, periodSeconds: 5, failureThreshold: 3),
            LivenessProbe = AdminProbe("/live", settings, periodSeconds: 10, failureThreshold: 3),
            VolumeMounts = settings.ControlPlaneCa is null ? mounts : [.. mounts, new V1VolumeMount { Name = InjectionNames.CaVolume, MountPath = settings.CaDirectory, ReadOnlyProperty = true }],
        };
    }

    /// <summary>The CA annotation as <c>ca.pem</c> (the kubelet writes it before the container starts).</summary>
    public static V1Volume CaVolume() => new()
    {
        Name = InjectionNames.CaVolume,
        DownwardAPI = new V1DownwardAPIVolumeSource
        {
            Items = [new V1DownwardAPIVolumeFile { Path = CaFileName, FieldRef = new V1ObjectFieldSelector { FieldPath = $"metadata.annotations['{InjectionNames.ControlPlaneCa}']" } }],
        },
    };

    public static V1Volume TokenVolume(InjectionSettings settings) => new()
    {
        Name = InjectionNames.TokenVolume,
        Projected = new V1ProjectedVolumeSource
        {
            Sources =
            [
                new V1VolumeProjection
                {
                    ServiceAccountToken = new V1ServiceAccountTokenProjection
                    {
                        Audience = settings.TokenAudience,
                        ExpirationSeconds = settings.TokenExpirationSeconds,
                        Path = "token",
                    },
                },
            ],
        },
    };

    /// <summary>Memory-backed and small: the runtime's diagnostics sockets and iptables' lock file.</summary>
    public static V1Volume ScratchVolume() => new()
    {
        Name = InjectionNames.ScratchVolume,
        EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("16Mi") },
    };

    private static V1Probe AdminProbe(string path, InjectionSettings settings, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = settings.AdminPort },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 1,
    };

    private static V1EnvVar FieldEnv(string name, string fieldPath) =>
        new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = fieldPath } } };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

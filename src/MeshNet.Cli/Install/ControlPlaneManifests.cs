using k8s.Models;

namespace MeshNet.Cli.Install;

/// <summary>The control plane's Deployment, Service and PodDisruptionBudget.</summary>
internal static class ControlPlaneManifests
{
    /// <summary>0440: the key is readable by the control plane's group (fsGroup) and no one else.</summary>
    private const int ReadByOwnerAndGroup = 0x120;

    public static V1Service Service(InstallValues values) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = InstallNames.ControlPlane, NamespaceProperty = values.Namespace, Labels = InstallNames.Labels() },
        Spec = new V1ServiceSpec
        {
            Selector = InstallNames.Selector(),
            Ports =
            [
                new V1ServicePort { Name = "grpc", Port = InstallNames.GrpcPort, TargetPort = "grpc", Protocol = "TCP", AppProtocol = "grpc" },
                new V1ServicePort { Name = "admin", Port = InstallNames.AdminPort, TargetPort = "admin", Protocol = "TCP", AppProtocol = "http" },
                new V1ServicePort { Name = "webhook", Port = 443, TargetPort = "webhook", Protocol = "TCP", AppProtocol = "https" },
                new V1ServicePort { Name = "dns-udp", Port = 53, TargetPort = "dns-udp", Protocol = "UDP" },
                new V1ServicePort { Name = "dns-tcp", Port = 53, TargetPort = "dns-tcp", Protocol = "TCP" },
            ],
        },
    };

    public static V1PodDisruptionBudget DisruptionBudget(InstallValues values) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = InstallNames.ControlPlane, NamespaceProperty = values.Namespace, Labels = InstallNames.Labels() },
        // One replica may be drained at a time; the other keeps serving discovery, certificates and the webhook.
        Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = InstallNames.Selector() } },
    };

    public static V1Deployment Deployment(InstallValues values)
    {
        var ns = values.Namespace;
        List<string> args =
        [
            "--kubernetes",
            "--grpc", $"0.0.0.0:{InstallNames.GrpcPort}",
            "--admin", $"0.0.0.0:{InstallNames.AdminPort}",
            "--webhook", $"0.0.0.0:{InstallNames.WebhookPort}",
            "--dns", $"0.0.0.0:{InstallNames.DnsPort}",
            "--cluster-domain", values.ClusterDomain,
            "--trust-domain", values.TrustDomain,
            "--ca-secret", values.CaSecret,
            "--proxy-image", values.ProxyImage,
            "--proxy-init-image", values.ProxyInitImage,
            "--sidecar-control-plane", $"https://{InstallNames.ControlPlane}.{ns}.svc:{InstallNames.GrpcPort}",
        ];
        List<V1VolumeMount> mounts =
        [
            new() { Name = "tmp", MountPath = "/tmp" },
        ];
        List<V1Volume> volumes =
        [
            new() { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("16Mi") } },
        ];
        if (values.CertManagerEnabled)
        {
            args.AddRange(["--webhook-cert", $"{InstallNames.WebhookCertMount}/tls.crt", "--webhook-key", $"{InstallNames.WebhookCertMount}/tls.key"]);
            mounts.Add(new V1VolumeMount { Name = "webhook-tls", MountPath = InstallNames.WebhookCertMount, ReadOnlyProperty = true });
            volumes.Add(new V1Volume { Name = "webhook-tls", Secret = new V1SecretVolumeSource { SecretName = InstallNames.WebhookSecret, DefaultMode = ReadByOwnerAndGroup } });
        }
        else
        {
            args.AddRange(["--webhook-configuration", InstallNames.WebhookConfiguration]);
        }

        var container = new V1Container
        {
            Name = "control-plane",
            Image = values.ControlPlaneImage,
            ImagePullPolicy = values.ImagePullPolicy,
            Args = args,
            Env =
            [
                new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
                new V1EnvVar { Name = "POD_NAMESPACE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
            ],
            Ports =
            [
                new V1ContainerPort { Name = "grpc", ContainerPort = InstallNames.GrpcPort, Protocol = "TCP" },
                new V1ContainerPort { Name = "admin", ContainerPort = InstallNames.AdminPort, Protocol = "TCP" },
                new V1ContainerPort { Name = "webhook", ContainerPort = InstallNames.WebhookPort, Protocol = "TCP" },
                new V1ContainerPort { Name = "dns-udp", ContainerPort = InstallNames.DnsPort, Protocol = "UDP" },
                new V1ContainerPort { Name = "dns-tcp", ContainerPort = InstallNames.DnsPort, Protocol = "TCP" },
            ],
            // Startup covers the first list of every watched resource on a large cluster; readiness is /readyz, which
            // turns 200 only after that initial load, so no sidecar is served an empty mesh.
            StartupProbe = Probe("/healthz", periodSeconds: 2, failureThreshold: 60),
            ReadinessProbe = Probe("/readyz", periodSeconds: 5, failureThreshold: 3),
            LivenessProbe = Probe("/healthz", periodSeconds: 10, failureThreshold: 3),
            Resources = new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity>
                {
                    ["cpu"] = new(values.ControlPlaneCpuRequest),
                    ["memory"] = new(values.ControlPlaneMemoryRequest),
                },
                Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new(values.ControlPlaneMemoryLimit) },
            },
            SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                RunAsNonRoot = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
            VolumeMounts = mounts,
        };

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = InstallNames.ControlPlane, NamespaceProperty = ns, Labels = InstallNames.Labels() },
            Spec = new V1DeploymentSpec
            {
                Replicas = values.ControlPlaneReplicas,
                Selector = new V1LabelSelector { MatchLabels = InstallNames.Selector() },
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = 0, MaxSurge = 1 },
                },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = InstallNames.Labels(),
                        Annotations = new Dictionary<string, string> { ["meshnet.io/inject"] = "disabled" },
                    },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = InstallNames.ControlPlane,
                        SecurityContext = new V1PodSecurityContext
                        {
                            RunAsNonRoot = true,
                            RunAsUser = InstallNames.ImageUser,
                            RunAsGroup = InstallNames.ImageUser,
                            FsGroup = InstallNames.ImageUser,
                            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                        },
                        Affinity = new V1Affinity
                        {
                            PodAntiAffinity = new V1PodAntiAffinity
                            {
                                PreferredDuringSchedulingIgnoredDuringExecution =
                                [
                                    new V1WeightedPodAffinityTerm
                                    {
                                        Weight = 100,
                                        PodAffinityTerm = new V1PodAffinityTerm
                                        {
                                            TopologyKey = "kubernetes.io/hostname",
                                            LabelSelector = new V1LabelSelector { MatchLabels = InstallNames.Selector() },
                                        },
                                    },
                                ],
                            },
                        },
                        Containers = [container],
                        Volumes = volumes,
                    },
                },
            },
        };
    }

    private static V1Probe Probe(string path, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = "admin" },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 2,
    };
}

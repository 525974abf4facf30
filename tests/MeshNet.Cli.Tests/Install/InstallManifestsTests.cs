using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;
using MeshNet.Cli.Commands;
using MeshNet.Cli.Install;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Install;

public sealed class InstallManifestsTests
{
    [Fact]
    public void Renders_TheDefaultInstall_AsTheGoldenFile()
    {
        InstallGolden.Assert("install-default.yaml", Install());
    }

    [Fact]
    public void Renders_TheCertManagerInstall_AsTheGoldenFile()
    {
        InstallGolden.Assert("install-cert-manager.yaml", Install("--set", "certManager.enabled=true", "--skip-crds"));
    }

    [Fact]
    public void EveryDocument_ParsesBack_IntoItsKubernetesType_CrdsFirst()
    {
        var documents = ManifestDocuments.Parse(Install());

        Assert.Equal(
            ["V1CustomResourceDefinition", "V1CustomResourceDefinition", "V1CustomResourceDefinition", "V1Namespace", "V1ServiceAccount", "V1ClusterRole",
             "V1ClusterRoleBinding", "V1Role", "V1RoleBinding", "V1Service", "V1Deployment", "V1PodDisruptionBudget", "V1MutatingWebhookConfiguration"],
            documents.Select(d => d.GetType().Name));
    }

    [Fact]
    public void ControlPlane_RunsTwoHardenedReplicas_WithProbesAndResources()
    {
        var documents = ManifestDocuments.Parse(Install());
        var deployment = documents.Single<V1Deployment>();
        var pod = deployment.Spec.Template.Spec;
        var container = pod.Containers.Single();

        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal(1, documents.Single<V1PodDisruptionBudget>().Spec.MinAvailable.ToInt());
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.NotNull(container.StartupProbe);
        Assert.Equal("100m", container.Resources.Requests["cpu"].ToString());
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.Equal("meshnet-ca", container.Args[container.Args.IndexOf("--ca-secret") + 1]);
        Assert.DoesNotContain("--ca-cert", container.Args);
        Assert.DoesNotContain(pod.Volumes, v => v.Secret?.SecretName == "meshnet-ca");
        Assert.Contains("--webhook-configuration", container.Args);
        Assert.Equal("meshnet-control", pod.ServiceAccountName);
    }

    [Fact]
    public void CaSecret_IsReadableByNameOnly_AndCreatable_InTheMeshNamespaceOnly()
    {
        var documents = ManifestDocuments.Parse(Install("-n", "mesh", "--set", "identity.caSecret=corp-ca", "--skip-crds"));
        var role = documents.Single<V1Role>();
        var binding = documents.Single<V1RoleBinding>();

        Assert.Equal("mesh", role.Metadata.NamespaceProperty);
        Assert.Equal(
            [("get", "corp-ca"), ("create", "")],
            role.Rules.Select(r => (string.Join(",", r.Verbs), string.Join(",", r.ResourceNames ?? []))));
        Assert.All(role.Rules, r => Assert.Equal(("", "secrets"), (r.ApiGroups.Single(), r.Resources.Single())));
        Assert.Equal(("Role", "meshnet-control"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Equal(("meshnet-control", "mesh"), (binding.Subjects.Single().Name, binding.Subjects.Single().NamespaceProperty));
        Assert.Equal("mesh", binding.Metadata.NamespaceProperty);
        var args = documents.Single<V1Deployment>().Spec.Template.Spec.Containers.Single().Args;
        Assert.Equal("corp-ca", args[args.IndexOf("--ca-secret") + 1]);
    }

    [Fact]
    public void Service_ExposesGrpcAdminWebhookAndDns()
    {
        var service = ManifestDocuments.Parse(Install()).Single<V1Service>();

        Assert.Equal(
            [("grpc", 15010, "TCP"), ("admin", 15014, "TCP"), ("webhook", 443, "TCP"), ("dns-udp", 53, "UDP"), ("dns-tcp", 53, "TCP")],
            service.Spec.Ports.Select(p => (p.Name, p.Port, p.Protocol)));
    }

    [Fact]
    public void ClusterRole_GrantsOnlyWhatTheControlPlaneUses()
    {
        var role = ManifestDocuments.Parse(Install()).Single<V1ClusterRole>();

        Assert.DoesNotContain(role.Rules, r => r.Verbs.Contains("*") || r.Resources.Contains("*") || r.Resources.Contains("secrets"));
        Assert.All(role.Rules.Where(r => r.Verbs.Intersect(["patch", "update", "create", "delete"]).Any()), r =>
            Assert.True(
                r.Resources.All(x => x.EndsWith("/status", StringComparison.Ordinal)) || r.Resources.SequenceEqual(["tokenreviews"]) || r.ResourceNames is { Count: 1 },
                $"write access to {string.Join(",", r.Resources)}"));
        Assert.Contains(role.Rules, r => r.Resources.SequenceEqual(["tokenreviews"]) && r.Verbs.SequenceEqual(["create"]));
        Assert.Contains(role.Rules, r => r.Resources.Contains("mutatingwebhookconfigurations") && r.ResourceNames.SequenceEqual(["meshnet-sidecar-injector"]));
    }

    [Fact]
    public void Webhooks_AreSideEffectFree_V1Only_AndNeverSeeKubeSystemOrTheMeshNamespace()
    {
        var configuration = ManifestDocuments.Parse(Install("-n", "mesh", "--set", "webhook.timeoutSeconds=5")).Single<V1MutatingWebhookConfiguration>();

        Assert.Equal(["namespace.inject.meshnet.io", "pod.inject.meshnet.io"], configuration.Webhooks.Select(w => w.Name));
        Assert.All(configuration.Webhooks, webhook =>
        {
            Assert.Equal("None", webhook.SideEffects);
            Assert.Equal(["v1"], webhook.AdmissionReviewVersions);
            Assert.Equal("IfNeeded", webhook.ReinvocationPolicy);
            Assert.Equal(5, webhook.TimeoutSeconds);
            Assert.Equal(("meshnet-control", "mesh", 443), (webhook.ClientConfig.Service.Name, webhook.ClientConfig.Service.NamespaceProperty, webhook.ClientConfig.Service.Port));
            var excluded = webhook.NamespaceSelector.MatchExpressions.Single(e => e.Key == "kubernetes.io/metadata.name");
            Assert.Equal("NotIn", excluded.OperatorProperty);
            Assert.Equal(["kube-system", "mesh"], excluded.Values);
        });
        Assert.Equal(["Fail", "Ignore"], configuration.Webhooks.Select(w => w.FailurePolicy));
        Assert.Equal(["/inject/namespace-enabled", "/inject"], configuration.Webhooks.Select(w => w.ClientConfig.Service.Path));
    }

    [Fact]
    public void CertManager_IssuesTheWebhookCertificate_AndInjectsItsCa()
    {
        var documents = ManifestDocuments.Parse(Install("--set", "certManager.enabled=true", "--skip-crds"));

        var certificate = documents.OfType<JsonNode>().Single(d => (string?)d["kind"] == "Certificate");
        Assert.Equal(["meshnet-control.meshnet-system.svc", "meshnet-control.meshnet-system.svc.cluster.local"], certificate["spec"]!["dnsNames"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("meshnet-selfsigned", (string?)certificate["spec"]!["issuerRef"]!["name"]);
        Assert.Contains(documents.OfType<JsonNode>(), d => (string?)d["kind"] == "Issuer");
        Assert.Equal("meshnet-system/meshnet-webhook", documents.Single<V1MutatingWebhookConfiguration>().Metadata.Annotations["cert-manager.io/inject-ca-from"]);
        var args = documents.Single<V1Deployment>().Spec.Template.Spec.Containers.Single().Args;
        Assert.Contains("--webhook-cert", args);
        Assert.DoesNotContain("--webhook-configuration", args);
        Assert.DoesNotContain(documents.Single<V1ClusterRole>().Rules, r => r.Resources.Contains("mutatingwebhookconfigurations"));
    }

    [Fact]
    public void NamedIssuer_ReplacesTheSelfSignedOne()
    {
        var documents = ManifestDocuments.Parse(Install("--set", "certManager.enabled=true", "--set", "certManager.issuer=corp-ca", "--skip-crds"));

        Assert.DoesNotContain(documents.OfType<JsonNode>(), d => (string?)d["kind"] == "Issuer");
        Assert.Equal("corp-ca", (string?)documents.OfType<JsonNode>().Single()["spec"]!["issuerRef"]!["name"]);
    }

    [Fact]
    public void ValuesFile_ThenSet_OverrideTheDefaults()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "controlPlane:\n  replicas: 3\n  image: registry.local/control:dev\nproxy:\n  image: registry.local/proxy:dev\n");

            var deployment = ManifestDocuments.Parse(Install("--values", file, "--set", "controlPlane.replicas=4", "--skip-crds")).Single<V1Deployment>();

            Assert.Equal(4, deployment.Spec.Replicas);
            var container = deployment.Spec.Template.Spec.Containers.Single();
            Assert.Equal("registry.local/control:dev", container.Image);
            Assert.Equal("registry.local/proxy:dev", container.Args[container.Args.IndexOf("--proxy-image") + 1]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("controlPlane.replica=3", "meshctl install: unknown value 'controlPlane.replica' (known: ")]
    [InlineData("controlPlane.replicas=two", "meshctl install: controlPlane.replicas: 'two' is not a whole number from 1 to 100")]
    [InlineData("webhook.failurePolicy=Sometimes", "meshctl install: webhook.failurePolicy: 'Sometimes' is not one of Fail, Ignore")]
    [InlineData("certManager.enabled", "meshctl install: --set 'certManager.enabled' is not key=value")]
    public void Refuses_BadValues_NamingTheKey(string set, string message)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = new InstallCommand(output, error).Run("meshnet-system", [], [set], skipCrds: true);

        Assert.Equal(ExitCodes.CouldNotRun, exit);
        Assert.StartsWith(message, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public void EveryValueKey_IsInTheChartsValuesFile_WithTheSameDefault()
    {
        var chartValues = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "charts", "meshnet", "values.yaml"));

        var fromChart = InstallValues.Default.Apply(chartValues);

        Assert.Equal(InstallValues.Default, fromChart);
        foreach (var key in InstallValues.KeyNames)
        {
            var changed = InstallValues.Default.Apply(chartValues).Set(key, InstallValues.Default.Get(key));
            Assert.Equal(InstallValues.Default, changed);
        }
    }

    [Fact]
    public void ControlPlaneArgs_AreFlagsMeshnetControlAccepts()
    {
        var binaries = MeshBinaries.Discover();
        var control = binaries.Resolve("meshnet-control");
        Assert.True(File.Exists(control), $"{control} is not built (the suite builds the solution first)");
        var usage = RunForOutput(control, "--help");
        foreach (var values in new[] { InstallValues.Default, InstallValues.Default with { CertManagerEnabled = true } })
        {
            var args = ControlPlaneManifests.Deployment(values).Spec.Template.Spec.Containers.Single().Args;
            foreach (var flag in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
            {
                Assert.Matches($@"(?<![\w-]){Regex.Escape(flag)}(?![\w-])", usage);
            }
        }
    }

    internal static string Install(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var parse = InstallCommand.Build(output, error).Parse(args);
        Assert.Empty(parse.Errors);
        Assert.Equal(0, parse.Invoke());
        return output.ToString();
    }

    private static string RunForOutput(string dll, string argument)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", [dll, argument]) { RedirectStandardOutput = true })!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return text;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MeshNet.Kubernetes.Injection;
using MeshNet.Kubernetes.Manifests;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

namespace MeshNet.Kubernetes.Tests.Injection;

public sealed class SidecarInjectorTests
{
    private static readonly Dictionary<string, string> EnabledNamespace = new() { [InjectionNames.Inject] = InjectionNames.Enabled };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Theory]
    [InlineData("annotated-pod", false)]
    [InlineData("namespace-enabled-pod", true)]
    public void Injects_PodAsTheGoldenPatchSays(string name, bool namespaceEnabled)
    {
        var pod = Input(name);

        var result = SidecarInjector.Inject(pod, namespaceEnabled ? EnabledNamespace : null, InjectionSettings.Default);

        Assert.Equal(InjectionOutcome.Injected, result.Outcome);
        InjectionGolden.Assert(name + ".patch.json", result.Patch.ToJsonString(Indented));
    }

    [Fact]
    public void Injects_TemplateWithoutMetadata_UnderItsPathPrefix()
    {
        var deployment = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["spec"] = new JsonObject { ["template"] = Input("unlabelled-template") } };

        var result = SidecarInjector.Inject(deployment["spec"]!["template"]!.AsObject(), EnabledNamespace, InjectionSettings.Default, "/spec/template");

        Assert.Equal(InjectionOutcome.Injected, result.Outcome);
        Assert.All(result.Patch, op => Assert.StartsWith("/spec/template/", (string)op!["path"]!, StringComparison.Ordinal));
        var patched = ApplyIndependently(deployment, result.Patch);
        var typed = KubernetesJson.Deserialize<V1Deployment>(patched.ToJsonString());
        Assert.Equal("true", typed.Spec.Template.Metadata.Annotations[InjectionNames.Injected]);
        Assert.Equal([InjectionNames.InitContainer, InjectionNames.ProxyContainer], typed.Spec.Template.Spec.InitContainers.Select(c => c.Name));
    }

    [Theory]
    [InlineData("annotated-pod", false)]
    [InlineData("namespace-enabled-pod", true)]
    public void Patch_AppliedByAnotherImplementation_GivesAPodWithNativeSidecarFirst(string name, bool namespaceEnabled)
    {
        var pod = Input(name);
        var result = SidecarInjector.Inject(pod, namespaceEnabled ? EnabledNamespace : null, InjectionSettings.Default);

        var patched = KubernetesJson.Deserialize<V1Pod>(ApplyIndependently(pod, result.Patch).ToJsonString());

        var init = patched.Spec.InitContainers;
        Assert.Equal(InjectionNames.InitContainer, init[0].Name);
        Assert.Equal(["NET_ADMIN", "NET_RAW"], init[0].SecurityContext.Capabilities.Add);
        Assert.Equal(["ALL"], init[0].SecurityContext.Capabilities.Drop);
        Assert.Equal(InjectionNames.ProxyContainer, init[1].Name);
        Assert.Equal("Always", init[1].RestartPolicy);
        Assert.True(init[1].SecurityContext.RunAsNonRoot);
        Assert.Equal("/ready", init[1].StartupProbe.HttpGet.Path);
        var token = patched.Spec.Volumes.Single(v => v.Name == InjectionNames.TokenVolume);
        Assert.Equal("meshnet", token.Projected.Sources.Single().ServiceAccountToken.Audience);
        Assert.Equal(pod["spec"]!["containers"]!.AsArray().Count, patched.Spec.Containers.Count);
    }

    [Fact]
    public void Passes_NamedAppPorts_AndFirstPortAsAppPort()
    {
        var proxy = InjectedProxy("annotated-pod", namespaceEnabled: false);

        var args = string.Join(' ', proxy.Args);
        Assert.Contains("--app-port 8080", args, StringComparison.Ordinal);
        Assert.Contains("--port http=8080 --port metrics=9090", args, StringComparison.Ordinal);
        Assert.DoesNotContain("dns-udp", args, StringComparison.Ordinal);
        Assert.Contains("--labels app=posts,version=v1", args, StringComparison.Ordinal);
    }

    [Fact]
    public void Takes_ProxyResources_FromAnnotations_OverDefaults()
    {
        var proxy = InjectedProxy("namespace-enabled-pod", namespaceEnabled: true);

        Assert.Equal("250m", proxy.Resources.Requests["cpu"].ToString());
        Assert.Equal("64Mi", proxy.Resources.Requests["memory"].ToString());
        Assert.Equal("2", proxy.Resources.Limits["cpu"].ToString());
        Assert.Equal("1Gi", proxy.Resources.Limits["memory"].ToString());
    }

    [Fact]
    public void InjectingTwice_IsANoOp()
    {
        var pod = Input("annotated-pod");
        var once = ApplyIndependently(pod, SidecarInjector.Inject(pod, null, InjectionSettings.Default).Patch);

        var twice = SidecarInjector.Inject(once.AsObject(), EnabledNamespace, InjectionSettings.Default);

        Assert.Equal(InjectionOutcome.Skipped, twice.Outcome);
        Assert.Equal("already injected", twice.Reason);
        Assert.Empty(twice.Patch);
    }

    [Theory]
    [InlineData("hostNetwork: true", "enabled", null, "hostNetwork pods are not injected")]
    [InlineData("", null, null, "injection not enabled (namespace label or pod annotation meshnet.io/inject=enabled)")]
    [InlineData("", "disabled", "enabled", "pod annotation meshnet.io/inject: disabled")]
    [InlineData("", "enabled", "disabled", "namespace label meshnet.io/inject=disabled")]
    [InlineData("", "Disabled", "enabled", "pod annotation meshnet.io/inject: disabled")]
    public void Skips_WithReason(string specLine, string? podAnnotation, string? namespaceLabel, string reason)
    {
        var pod = MinimalPod(specLine, podAnnotation is null ? null : $"meshnet.io/inject: {podAnnotation}");
        var labels = namespaceLabel is null ? null : new Dictionary<string, string> { [InjectionNames.Inject] = namespaceLabel };

        var result = SidecarInjector.Inject(pod, labels, InjectionSettings.Default);

        Assert.Equal(InjectionOutcome.Skipped, result.Outcome);
        Assert.Equal(reason, result.Reason);
        Assert.Empty(result.Patch);
    }

    [Theory]
    [InlineData("meshnet.io/injected: \"true\"", "")]
    [InlineData("", "initContainers: [{name: meshnet-proxy, image: x}]")]
    public void Skips_PodsInjectedBefore_ByAnnotationOrContainer(string annotation, string specLine)
    {
        var pod = MinimalPod(specLine, annotation.Length > 0 ? annotation : null);

        var result = SidecarInjector.Inject(pod, EnabledNamespace, InjectionSettings.Default);

        Assert.Equal("already injected", result.Reason);
    }

    [Theory]
    [InlineData("meshnet.io/proxy-cpu-request: lots", "annotation meshnet.io/proxy-cpu-request: 'lots' is not a quantity (e.g. 100m, 0.5, 128Mi, 1Gi)")]
    [InlineData("meshnet.io/proxy-memory-limit: 1GB", "annotation meshnet.io/proxy-memory-limit: '1GB' is not a quantity (e.g. 100m, 0.5, 128Mi, 1Gi)")]
    public void Rejects_MalformedResourceAnnotation(string annotation, string message)
    {
        var result = SidecarInjector.Inject(MinimalPod("", annotation), EnabledNamespace, InjectionSettings.Default);

        Assert.Equal(InjectionOutcome.Rejected, result.Outcome);
        Assert.Equal(message, result.Reason);
    }

    [Fact]
    public void Uses_TheSettings_ForImagesPortsAndControlPlane()
    {
        var settings = InjectionSettings.Default with
        {
            ProxyImage = "registry.local/proxy:dev",
            InitImage = "registry.local/init:dev",
            ControlPlane = new Uri("https://cp.mesh.svc:15012"),
            AdminPort = 16000,
        };
        var pod = Input("annotated-pod");

        var patched = KubernetesJson.Deserialize<V1Pod>(ApplyIndependently(pod, SidecarInjector.Inject(pod, null, settings).Patch).ToJsonString());

        var proxy = patched.Spec.InitContainers[1];
        Assert.Equal("registry.local/proxy:dev", proxy.Image);
        Assert.Equal("registry.local/init:dev", patched.Spec.InitContainers[0].Image);
        Assert.Contains("https://cp.mesh.svc:15012", proxy.Args);
        Assert.Contains("$(POD_IP):16000", proxy.Args);
        Assert.Equal("16000", proxy.LivenessProbe.HttpGet.Port.Value);
        Assert.Contains("16000", patched.Spec.InitContainers[0].Args);
    }

    [Fact]
    public void Carries_TheControlPlaneCa_InAnAnnotation_ReadBackThroughTheDownwardApi()
    {
        const string Pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        var pod = Input("namespace-enabled-pod");

        var result = SidecarInjector.Inject(pod, EnabledNamespace, InjectionSettings.Default with { ControlPlaneCa = Pem });
        var patched = KubernetesJson.Deserialize<V1Pod>(ApplyIndependently(pod, result.Patch).ToJsonString());

        Assert.Equal(Pem, patched.Metadata.Annotations[InjectionNames.ControlPlaneCa]);
        Assert.Equal("team-a", patched.Metadata.Annotations["example.com/owner"]);
        var volume = patched.Spec.Volumes.Single(v => v.Name == InjectionNames.CaVolume);
        Assert.Equal("metadata.annotations['meshnet.io/control-plane-ca']", volume.DownwardAPI.Items.Single().FieldRef.FieldPath);
        var proxy = patched.Spec.InitContainers[1];
        Assert.Equal("/var/run/secrets/meshnet.io/ca/ca.pem", proxy.Env.Single(e => e.Name == "MESHNET_CONTROL_PLANE_CA").Value);
        Assert.Contains(proxy.VolumeMounts, m => m.Name == InjectionNames.CaVolume && m.MountPath == "/var/run/secrets/meshnet.io/ca");
    }

    private static V1Container InjectedProxy(string name, bool namespaceEnabled)
    {
        var pod = Input(name);
        var result = SidecarInjector.Inject(pod, namespaceEnabled ? EnabledNamespace : null, InjectionSettings.Default);
        return KubernetesJson.Deserialize<V1Pod>(ApplyIndependently(pod, result.Patch).ToJsonString()).Spec.InitContainers
            .Single(c => c.Name == InjectionNames.ProxyContainer);
    }

    private static JsonObject MinimalPod(string specLine, string? annotation)
    {
        var yaml = $"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
              namespace: ns
            {(annotation is null ? string.Empty : "  annotations:\n    " + annotation)}
            spec:
              containers: [{"{"}name: app, image: x{"}"}]
            {(specLine.Length == 0 ? string.Empty : "  " + specLine)}
            """;
        return Yaml(yaml);
    }

    private static JsonObject Input(string name) => Yaml(InjectionGolden.Read(name + ".input.yaml"));

    private static JsonObject Yaml(string text)
    {
        using var document = YamlJsonConverter.Convert(text)!;
        return JsonNode.Parse(document.RootElement.GetRawText())!.AsObject();
    }

    /// <summary>ASP.NET Core's JSON Patch, not the injector's own applier, so a malformed patch cannot pass by agreement.</summary>
    private static JsonNode ApplyIndependently(JsonObject document, JsonArray patch)
    {
        var copy = document.DeepClone();
        var operations = JsonSerializer.Deserialize<JsonPatchDocument>(patch.ToJsonString())!;
        operations.ApplyTo(copy);
        return copy;
    }
}

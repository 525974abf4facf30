using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace MeshNet.Kubernetes.Injection;

/// <summary>
/// Pod (or pod template) JSON + namespace labels + mesh settings → an RFC 6902 patch that adds the init container,
/// the native sidecar, their volumes and the <c>meshnet.io/injected</c> annotation. Works on the object's JSON, not
/// on a typed round trip, so fields this client version does not know are never touched. Pure and deterministic.
/// </summary>
public static class SidecarInjector
{
    /// <param name="podOrTemplate">A Pod, or a workload's <c>spec.template</c>: an object with metadata and spec.</param>
    /// <param name="pathPrefix">Where that object sits in the document being patched: "" for a Pod, "/spec/template" for a Deployment.</param>
    public static InjectionResult Inject(
        JsonObject podOrTemplate, IReadOnlyDictionary<string, string>? namespaceLabels, InjectionSettings settings, string pathPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(podOrTemplate);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(pathPrefix);

        V1PodTemplateSpec template;
        try
        {
            template = KubernetesJson.Deserialize<V1PodTemplateSpec>(podOrTemplate.ToJsonString());
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return InjectionResult.Reject($"not a pod: {e.Message}");
        }

        if (template?.Spec is not { } spec)
        {
            return InjectionResult.Reject("not a pod: no spec");
        }

        var annotations = template.Metadata?.Annotations is { } a ? new Dictionary<string, string>(a, StringComparer.Ordinal) : null;
        var skip = InjectionPolicy.SkipReason(spec.HostNetwork == true, IsInjected(template), annotations, namespaceLabels);
        if (skip is not null)
        {
            return InjectionResult.Skip(skip);
        }

        var resources = ProxyResources.From(annotations, settings, out var error);
        if (resources is null)
        {
            return InjectionResult.Reject(error!);
        }

        var patch = new JsonArray();
        var metadataPath = pathPrefix + "/metadata";
        var added = Annotations(settings);
        if (podOrTemplate["metadata"] is not JsonObject)
        {
            Add(patch, metadataPath, new JsonObject { ["annotations"] = added });
        }
        else if (podOrTemplate["metadata"]!["annotations"] is not JsonObject)
        {
            Add(patch, metadataPath + "/annotations", added);
        }
        else
        {
            foreach (var (key, value) in added)
            {
                Add(patch, metadataPath + "/annotations/" + Escape(key), value!.DeepClone());
            }
        }

        var specPath = pathPrefix + "/spec";
        var init = ToNode(SidecarContainers.Init(settings));
        var proxy = ToNode(SidecarContainers.Proxy(template.Metadata, spec, resources, settings));
        // First in order: the rules are in place and the proxy is up before any other init container, so
        // those already run with the mesh (a migration job reaching a meshed database, say).
        if (podOrTemplate["spec"]!["initContainers"] is JsonArray)
        {
            Add(patch, specPath + "/initContainers/0", init);
            Add(patch, specPath + "/initContainers/1", proxy);
        }
        else
        {
            Add(patch, specPath + "/initContainers", new JsonArray(init, proxy));
        }

        List<JsonNode> volumes = [ToNode(SidecarContainers.TokenVolume(settings)), ToNode(SidecarContainers.ScratchVolume())];
        if (settings.ControlPlaneCa is not null)
        {
            volumes.Add(ToNode(SidecarContainers.CaVolume()));
        }

        if (podOrTemplate["spec"]!["volumes"] is JsonArray)
        {
            foreach (var volume in volumes)
            {
                Add(patch, specPath + "/volumes/-", volume);
            }
        }
        else
        {
            Add(patch, specPath + "/volumes", new JsonArray([.. volumes]));
        }

        return new InjectionResult(InjectionOutcome.Injected, "injected", patch);
    }

    /// <summary>Our annotation, or a container of ours from an injection that predates the annotation.</summary>
    private static bool IsInjected(V1PodTemplateSpec template) =>
        template.Metadata?.Annotations?.ContainsKey(InjectionNames.Injected) == true
        || (template.Spec.InitContainers ?? []).Concat(template.Spec.Containers ?? [])
            .Any(c => c.Name is InjectionNames.ProxyContainer or InjectionNames.InitContainer);

    private static JsonObject Annotations(InjectionSettings settings)
    {
        var annotations = new JsonObject { [InjectionNames.Injected] = "true" };
        if (settings.ControlPlaneCa is { } ca)
        {
            annotations[InjectionNames.ControlPlaneCa] = ca;
        }

        return annotations;
    }

    private static void Add(JsonArray patch, string path, JsonNode value) =>
        patch.Add(new JsonObject { ["op"] = "add", ["path"] = path, ["value"] = value });

    /// <summary>RFC 6901: "~" becomes "~0" and "/" becomes "~1" inside a reference token.</summary>
    internal static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static JsonNode ToNode(object value) => JsonNode.Parse(KubernetesJson.Serialize(value))!;
}

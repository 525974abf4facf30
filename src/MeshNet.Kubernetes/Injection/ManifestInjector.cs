using System.Text.Json.Nodes;
using MeshNet.Kubernetes.Manifests;
using YamlDotNet.Core;

namespace MeshNet.Kubernetes.Injection;

/// <summary>What happened to one document of a manifest stream.</summary>
/// <param name="Resource">"deployment/posts-v1", or "document 3" when it has no kind and name.</param>
public sealed record InjectedDocument(string Resource, InjectionOutcome? Outcome, string Reason);

/// <summary>
/// <c>meshctl inject</c>'s work, offline: every pod and pod template in a multi-document YAML stream gets the sidecar
/// the webhook would add (as if its namespace were enabled; a pod annotated <c>disabled</c>, hostNetwork and
/// already-injected ones are left as they are). Other documents pass through byte for byte, comments included; an
/// injected one is printed again from its JSON, so its comments are lost (as with <c>linkerd inject</c>).
/// </summary>
public static class ManifestInjector
{
    private static readonly Dictionary<string, string> Forced = new(StringComparer.Ordinal) { [InjectionNames.Inject] = InjectionNames.Enabled };

    /// <summary>Where the pod template sits, per kind; Pod is the pod itself.</summary>
    private static readonly Dictionary<string, string> TemplatePaths = new(StringComparer.Ordinal)
    {
        ["Pod"] = string.Empty,
        ["Deployment"] = "/spec/template",
        ["StatefulSet"] = "/spec/template",
        ["DaemonSet"] = "/spec/template",
        ["ReplicaSet"] = "/spec/template",
        ["ReplicationController"] = "/spec/template",
        ["Job"] = "/spec/template",
        ["CronJob"] = "/spec/jobTemplate/spec/template",
    };

    /// <exception cref="YamlException">A document is not valid YAML (its position is in the message).</exception>
    public static (string Output, IReadOnlyList<InjectedDocument> Report) Inject(string manifests, InjectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        ArgumentNullException.ThrowIfNull(settings);
        var output = new List<string>();
        var report = new List<InjectedDocument>();
        foreach (var section in YamlDocumentSplitter.Split(manifests))
        {
            var body = WithoutSeparator(section.Text);
            if (YamlDocumentSplitter.IsBlank(body))
            {
                continue;
            }

            JsonNode? document;
            try
            {
                using var json = YamlJsonConverter.Convert(body);
                document = json is null ? null : JsonNode.Parse(json.RootElement.GetRawText());
            }
            catch (YamlException e)
            {
                throw new YamlException(e.Start, e.End, $"document starting at line {section.FirstLine}: {e.Message}");
            }

            var (text, entry) = InjectOne(body, document, section.Index, settings);
            output.Add(text);
            report.Add(entry);
        }

        return (string.Join("---\n", output), report);
    }

    private static (string Text, InjectedDocument Entry) InjectOne(string original, JsonNode? document, int index, InjectionSettings settings)
    {
        var kind = Text((document as JsonObject)?["kind"]);
        var name = Text(((document as JsonObject)?["metadata"] as JsonObject)?["name"]);
        var resource = kind is not null && name is not null ? $"{kind.ToLowerInvariant()}/{name}" : $"document {index + 1}";
        if (kind is null || !TemplatePaths.TryGetValue(kind, out var prefix))
        {
            return (original, new InjectedDocument(resource, null, "not a workload"));
        }

        if (Resolve(document!, prefix) is not JsonObject template)
        {
            return (original, new InjectedDocument(resource, InjectionOutcome.Rejected, $"no pod template at {(prefix.Length == 0 ? "/" : prefix)}"));
        }

        var result = SidecarInjector.Inject(template, Forced, settings, prefix);
        if (result.Outcome != InjectionOutcome.Injected)
        {
            return (original, new InjectedDocument(resource, result.Outcome, result.Reason));
        }

        JsonPatchApplier.Apply(document!, result.Patch);
        return (ManifestYamlWriter.Write(document), new InjectedDocument(resource, result.Outcome, result.Reason));
    }

    private static JsonNode? Resolve(JsonNode document, string pointer)
    {
        var node = document;
        foreach (var token in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = (node as JsonObject)?[token];
        }

        return node;
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The splitter keeps a section's own "---" line; the output writes separators itself.</summary>
    private static string WithoutSeparator(string text)
    {
        if (!text.StartsWith("---", StringComparison.Ordinal))
        {
            return text;
        }

        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? string.Empty : text[(newline + 1)..];
    }
}

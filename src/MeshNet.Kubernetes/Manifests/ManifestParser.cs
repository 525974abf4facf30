using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using MeshNet.Kubernetes.Validation;
using MeshNet.Model;
using YamlDotNet.Core;

namespace MeshNet.Kubernetes.Manifests;

/// <summary>
/// Reads one manifest file: every "---"-separated document independently, so a bad document is an error of
/// its own and the others still load. Like <c>kubectl apply --validate=strict</c>: unknown fields and wrong
/// types are errors, then the rules the mesh depends on are checked.
/// </summary>
public static class ManifestParser
{
    public const string DefaultNamespace = "default";

    /// <param name="origin">Names the file in errors: a path relative to the manifest directory.</param>
    public static ManifestFileResult Parse(string origin, string text)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(text);
        var documents = ImmutableArray.CreateBuilder<ManifestDocumentResult>();
        foreach (var section in YamlDocumentSplitter.Split(text))
        {
            if (ParseDocument(origin, section) is { } result)
            {
                documents.Add(result);
            }
        }

        return new ManifestFileResult(origin, documents.ToImmutable());
    }

    private static ManifestDocumentResult? ParseDocument(string origin, YamlDocumentText section)
    {
        JsonDocument? json;
        try
        {
            json = YamlJsonConverter.Convert(section.Text);
        }
        catch (YamlException ex)
        {
            return Failed(origin, section.Index, key: null, field: null, DescribeYamlError(ex, section.FirstLine));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // The YAML scanner throws these on some malformed input instead of a YamlException with a position.
            return Failed(origin, section.Index, key: null, field: null, $"malformed YAML: {ex.Message}");
        }

        if (json is null)
        {
            return null;
        }

        using (json)
        {
            return ParseObject(origin, section.Index, json.RootElement);
        }
    }

    private static ManifestDocumentResult ParseObject(string origin, int index, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Failed(origin, index, key: null, field: null, "expected a mapping with apiVersion, kind and metadata at the top of the document");
        }

        var apiVersion = ReadString(root, "apiVersion");
        var kindName = ReadString(root, "kind");
        var metadata = root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var name = metadata.ValueKind == JsonValueKind.Object ? ReadString(metadata, "name") : null;
        var ns = metadata.ValueKind == JsonValueKind.Object ? ReadString(metadata, "namespace") : null;

        if (string.IsNullOrEmpty(kindName))
        {
            return Failed(origin, index, key: null, "kind", "required");
        }

        var kind = ManifestKinds.Find(kindName);
        var key = string.IsNullOrEmpty(name)
            ? null
            : new ResourceKey(kindName, kind is { Namespaced: false } ? string.Empty : string.IsNullOrEmpty(ns) ? DefaultNamespace : ns, name);
        if (kind is null)
        {
            return Failed(origin, index, key, "kind", $"unsupported kind \"{kindName}\": expected one of {ManifestKinds.Supported}");
        }

        if (string.IsNullOrEmpty(apiVersion))
        {
            return Failed(origin, index, key, "apiVersion", "required");
        }

        if (!string.Equals(apiVersion, kind.ApiVersion, StringComparison.Ordinal))
        {
            return Failed(origin, index, key, "apiVersion", $"unsupported apiVersion \"{apiVersion}\" for kind {kind.Kind}: expected {kind.ApiVersion}");
        }

        var fieldErrors = kind.CheckSchema(root);
        if (fieldErrors.Count > 0)
        {
            return Failed(origin, index, key, fieldErrors);
        }

        k8s.IKubernetesObject<k8s.Models.V1ObjectMeta> resource;
        try
        {
            resource = kind.Deserialize(root);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or FormatException or InvalidOperationException)
        {
            // The schema walk should have caught this; keep the document out rather than take the file down.
            var path = ex is JsonException { Path: { } p } ? p.TrimStart('$').TrimStart('.') : null;
            return Failed(origin, index, key, string.IsNullOrEmpty(path) ? null : path, ex.Message);
        }

        var validation = new FieldErrors();
        kind.Validate(resource, validation);
        if (validation.Items.Count > 0 || key is null)
        {
            return Failed(origin, index, key, validation.Items.Count > 0 ? validation.Items : [new FieldError("metadata.name", "required")]);
        }

        if (kind.Namespaced)
        {
            resource.Metadata.NamespaceProperty = key.Namespace;
        }

        var obj = new ManifestObject(origin, index, key, resource, CanonicalJson.Write(root));
        return new ManifestDocumentResult(index, key, obj, []);
    }

    private static string? ReadString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string DescribeYamlError(YamlException ex, int firstLine)
    {
        // YamlDotNet prefixes its message with the marks; ours are relative to the section, so recompute them.
        var message = ex.Message;
        var separator = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line", StringComparison.Ordinal) && separator > 0)
        {
            message = message[(separator + 3)..];
        }

        if (ex.InnerException is { } inner && !string.IsNullOrEmpty(inner.Message))
        {
            message = $"{message} ({inner.Message})";
        }

        var line = ex.Start.Line + firstLine - 1;
        return string.Create(CultureInfo.InvariantCulture, $"malformed YAML at line {line}, column {ex.Start.Column}: {message}");
    }

    private static ManifestDocumentResult Failed(string origin, int index, ResourceKey? key, string? field, string message) =>
        new(index, key, null, [new ResourceError(origin, index, key, field, message)]);

    private static ManifestDocumentResult Failed(string origin, int index, ResourceKey? key, IReadOnlyList<FieldError> errors) =>
        new(index, key, null, [.. errors.Select(e => new ResourceError(origin, index, key, e.Field, e.Message))]);
}

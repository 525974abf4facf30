using System.Globalization;
using System.Text.Json.Nodes;

namespace MeshNet.Kubernetes.Injection;

/// <summary>
/// Applies the "add" operations of an RFC 6902 patch, the only kind the injector emits, to a JSON document in
/// place: <c>meshctl inject</c> uses it to show offline what the API server would store.
/// </summary>
public static class JsonPatchApplier
{
    /// <exception cref="InvalidOperationException">An operation other than add, or a path that does not resolve.</exception>
    public static void Apply(JsonNode document, JsonArray patch)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(patch);
        foreach (var operation in patch)
        {
            var op = (string?)operation?["op"];
            var path = (string?)operation?["path"] ?? throw new InvalidOperationException("patch operation without a path");
            if (op != "add")
            {
                throw new InvalidOperationException($"unsupported patch operation '{op}' at {path}");
            }

            var tokens = path.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
            if (tokens.Length == 0)
            {
                throw new InvalidOperationException("adding at the document root is not supported");
            }

            var parent = document;
            foreach (var token in tokens[..^1])
            {
                parent = parent switch
                {
                    JsonObject o when o[token] is { } child => child,
                    JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count && a[i] is { } item => item,
                    _ => throw new InvalidOperationException($"path {path}: '{token}' does not exist"),
                };
            }

            var value = operation!["value"]?.DeepClone();
            var last = tokens[^1];
            switch (parent)
            {
                case JsonObject o:
                    o[last] = value;
                    break;
                case JsonArray a when last == "-":
                    a.Add(value);
                    break;
                case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= a.Count:
                    a.Insert(index, value);
                    break;
                default:
                    throw new InvalidOperationException($"path {path}: cannot add at '{last}'");
            }
        }
    }
}

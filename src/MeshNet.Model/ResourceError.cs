namespace MeshNet.Model;

/// <summary>
/// A resource that could not be accepted. Every field that is known is filled, so the message can say
/// exactly where the problem is: "blog/posts.yaml: document 2: Service blog/posts: spec.ports[0].port: must be 1-65535".
/// </summary>
/// <param name="Origin">Where the resource came from: a file path relative to the manifest directory, or "sidecar".</param>
/// <param name="DocumentIndex">Zero-based index of the YAML document within the file, when the origin is a file.</param>
/// <param name="Resource">The resource, when its kind and name could be read.</param>
/// <param name="Field">The JSON path of the offending field, when known.</param>
public sealed record ResourceError(
    string Origin,
    int? DocumentIndex,
    ResourceKey? Resource,
    string? Field,
    string Message)
{
    public override string ToString()
    {
        var parts = new List<string>(5) { Origin };
        if (DocumentIndex is { } index)
        {
            parts.Add($"document {index}");
        }

        if (Resource is not null)
        {
            parts.Add(Resource.ToString());
        }

        if (!string.IsNullOrEmpty(Field))
        {
            parts.Add(Field);
        }

        parts.Add(Message);
        return string.Join(": ", parts);
    }
}

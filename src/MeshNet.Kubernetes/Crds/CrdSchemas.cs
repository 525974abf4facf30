using System.Reflection;
using System.Text.Json;
using MeshNet.Kubernetes.Manifests;

namespace MeshNet.Kubernetes.Crds;

/// <summary>One served version of a MeshNet CustomResourceDefinition and its openAPIV3Schema.</summary>
internal sealed record CrdDefinition(string Group, string Version, string Kind, string Plural, bool Namespaced, JsonElement Schema)
{
    public string ApiVersion => $"{Group}/{Version}";
}

/// <summary>
/// The CRD manifests shipped in charts/meshnet/crds, embedded at build time. Their schemas drive the strict field
/// check of manifests, so what the API server accepts and what universal mode accepts come from one text.
/// </summary>
internal static class CrdSchemas
{
    private static readonly Lazy<CrdDefinition> LazyTrafficPolicy = new(() => Load("trafficpolicies.meshnet.io.yaml"));
    private static readonly Lazy<CrdDefinition> LazyTrafficRoute = new(() => Load("trafficroutes.meshnet.io.yaml"));
    private static readonly Lazy<CrdDefinition> LazyAuthorizationPolicy = new(() => Load("authorizationpolicies.meshnet.io.yaml"));

    public static CrdDefinition TrafficPolicy => LazyTrafficPolicy.Value;

    public static CrdDefinition TrafficRoute => LazyTrafficRoute.Value;

    public static CrdDefinition AuthorizationPolicy => LazyAuthorizationPolicy.Value;

    /// <summary>Reads a CRD manifest and picks <see cref="CrdGroup.Version"/>; throws when the file is not one.</summary>
    public static CrdDefinition Parse(string text)
    {
        using var document = YamlJsonConverter.Convert(text)
            ?? throw new InvalidOperationException("empty CustomResourceDefinition");
        var spec = document.RootElement.GetProperty("spec");
        var names = spec.GetProperty("names");
        var version = spec.GetProperty("versions").EnumerateArray()
            .FirstOrDefault(v => v.GetProperty("name").GetString() == CrdGroup.Version);
        if (version.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"CustomResourceDefinition without version {CrdGroup.Version}");
        }

        return new CrdDefinition(
            spec.GetProperty("group").GetString()!,
            CrdGroup.Version,
            names.GetProperty("kind").GetString()!,
            names.GetProperty("plural").GetString()!,
            spec.GetProperty("scope").GetString() == "Namespaced",
            version.GetProperty("schema").GetProperty("openAPIV3Schema").Clone());
    }

    private static CrdDefinition Load(string fileName)
    {
        var assembly = typeof(CrdSchemas).Assembly;
        var resource = $"MeshNet.Kubernetes.Crds.{fileName}";
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing from {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}

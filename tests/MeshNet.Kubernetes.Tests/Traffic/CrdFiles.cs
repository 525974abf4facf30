using System.Text.Json;
using k8s;
using k8s.Models;

namespace MeshNet.Kubernetes.Tests.Traffic;

/// <summary>The CRD manifests in charts/meshnet/crds, read with KubernetesClient's own model types.</summary>
internal static class CrdFiles
{
    public const string TrafficPolicy = "trafficpolicies.meshnet.io.yaml";
    public const string TrafficRoute = "trafficroutes.meshnet.io.yaml";

    public static string PathOf(string file) =>
        Path.Combine(TrafficManifestStateTests.RepositoryRoot(), "charts", "meshnet", "crds", file);

    public static V1CustomResourceDefinition Read(string file) =>
        KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(PathOf(file)), strict: true);

    public static V1JSONSchemaProps Schema(string file) =>
        Read(file).Spec.Versions.Single(v => v.Name == "v1alpha1").Schema.OpenAPIV3Schema;

    /// <summary>items and additionalProperties are "schema or something else" in the model; only schemas matter here.</summary>
    public static V1JSONSchemaProps? AsSchema(object? value) => value switch
    {
        V1JSONSchemaProps schema => schema,
        JsonElement { ValueKind: JsonValueKind.Object } element => KubernetesJson.Deserialize<V1JSONSchemaProps>(element.GetRawText()),
        IDictionary<object, object> or IDictionary<string, object> => KubernetesJson.Deserialize<V1JSONSchemaProps>(KubernetesJson.Serialize(value)),
        _ => null,
    };

    /// <summary>Every property of the schema as a path: "spec.rules[].backends[].subset{}".</summary>
    public static IEnumerable<(string Path, V1JSONSchemaProps Schema)> Walk(V1JSONSchemaProps schema, string path = "")
    {
        yield return (path, schema);
        foreach (var (name, child) in schema.Properties ?? new Dictionary<string, V1JSONSchemaProps>())
        {
            foreach (var item in Walk(child, path.Length == 0 ? name : $"{path}.{name}"))
            {
                yield return item;
            }
        }

        if (AsSchema(schema.Items) is { } items)
        {
            foreach (var item in Walk(items, path + "[]"))
            {
                yield return item;
            }
        }

        if (AsSchema(schema.AdditionalProperties) is { } values)
        {
            foreach (var item in Walk(values, path + "{}"))
            {
                yield return item;
            }
        }
    }
}

using System.Text.Json;
using MeshNet.Kubernetes.Conversion;
using MeshNet.Model.Traffic;

namespace MeshNet.Kubernetes.Tests.Traffic;

/// <summary>The CRD manifests are well-formed CustomResourceDefinitions and agree with the model and the converters.</summary>
public sealed class CrdManifestTests
{
    [Theory]
    [InlineData(CrdFiles.TrafficPolicy, "TrafficPolicy", "trafficpolicies")]
    [InlineData(CrdFiles.TrafficRoute, "TrafficRoute", "trafficroutes")]
    public void Parses_AsNamespacedCustomResourceDefinition_WithStatusAndPrinterColumns(string file, string kind, string plural)
    {
        var crd = CrdFiles.Read(file);

        Assert.Equal("apiextensions.k8s.io/v1", crd.ApiVersion);
        Assert.Equal("CustomResourceDefinition", crd.Kind);
        Assert.Equal($"{plural}.meshnet.io", crd.Metadata.Name);
        Assert.Equal("meshnet.io", crd.Spec.Group);
        Assert.Equal("Namespaced", crd.Spec.Scope);
        Assert.Equal(kind, crd.Spec.Names.Kind);
        Assert.Equal(plural, crd.Spec.Names.Plural);
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal("v1alpha1", version.Name);
        Assert.True(version.Served);
        Assert.True(version.Storage);
        Assert.NotNull(version.Subresources?.Status);
        Assert.Contains(version.AdditionalPrinterColumns, c => c.Name == "Target" && c.JsonPath == ".spec.targetRef.name");
        Assert.Contains(version.AdditionalPrinterColumns, c => c.Name == "Age" && c.Type == "date" && c.JsonPath == ".metadata.creationTimestamp");
        Assert.Contains("conditions", version.Schema.OpenAPIV3Schema.Properties["status"].Properties.Keys);
    }

    /// <summary>
    /// Structural schemas (what the API server requires of a v1 CRD): every property has a type, and every
    /// object either lists its properties or is a map.
    /// </summary>
    [Theory]
    [InlineData(CrdFiles.TrafficPolicy)]
    [InlineData(CrdFiles.TrafficRoute)]
    public void Schema_IsStructural(string file)
    {
        foreach (var (path, schema) in CrdFiles.Walk(CrdFiles.Schema(file)))
        {
            Assert.False(string.IsNullOrEmpty(schema.Type), $"{path}: no type");
            if (schema.Type == "object" && path != "metadata")
            {
                Assert.True(schema.Properties is { Count: > 0 } || CrdFiles.AsSchema(schema.AdditionalProperties) is not null, $"{path}: object without properties");
            }

            if (schema.Type == "array")
            {
                Assert.True(CrdFiles.AsSchema(schema.Items) is not null, $"{path}: array without items");
            }

            foreach (var rule in schema.XKubernetesValidations ?? [])
            {
                Assert.False(string.IsNullOrEmpty(rule.Message), $"{path}: CEL rule without a message");
            }
        }
    }

    [Fact]
    public void Enums_MatchTheModel()
    {
        var policy = Paths(CrdFiles.TrafficPolicy);
        var route = Paths(CrdFiles.TrafficRoute);

        Assert.Equal(["Service"], Enum(policy["spec.targetRef.kind"]));
        Assert.Equal(["Service"], Enum(route["spec.targetRef.kind"]));
        Assert.Equal(System.Enum.GetNames<LoadBalancerType>().Order(), Enum(policy["spec.loadBalancer.type"]).Order());
        Assert.Equal(RetryConditions.All, Enum(policy["spec.retries.on[]"]));
        Assert.Equal(System.Enum.GetNames<PathMatchType>(), Enum(route["spec.rules[].matches[].path.type"]));
        Assert.Equal(System.Enum.GetNames<HeaderMatchType>(), Enum(route["spec.rules[].matches[].headers[].type"]));
    }

    /// <summary>The API server fills schema defaults; universal mode's converter must fill the same ones.</summary>
    [Fact]
    public void Defaults_MatchTheConverters()
    {
        var expected = new Dictionary<string, object>
        {
            ["spec.retries.on"] = TrafficDefaults.RetryOn,
            ["spec.retries.budget.percent"] = TrafficDefaults.RetryBudgetPercent,
            ["spec.retries.budget.minPerSecond"] = TrafficDefaults.RetryBudgetMinPerSecond,
            ["spec.retries.backoff.base"] = $"{TrafficDefaults.RetryBackoffBase.TotalMilliseconds}ms",
            ["spec.retries.nonIdempotent"] = false,
        };
        var expectedRoute = new Dictionary<string, object>
        {
            ["spec.rules[].matches[].path.type"] = TrafficDefaults.PathType.ToString(),
            ["spec.rules[].matches[].headers[].type"] = TrafficDefaults.HeaderType.ToString(),
            ["spec.rules[].backends[].weight"] = TrafficDefaults.BackendWeight,
        };

        Assert.Equal(Json(expected), Json(Defaults(CrdFiles.TrafficPolicy)));
        Assert.Equal(Json(expectedRoute), Json(Defaults(CrdFiles.TrafficRoute)));
    }

    private static Dictionary<string, k8s.Models.V1JSONSchemaProps> Paths(string file) =>
        CrdFiles.Walk(CrdFiles.Schema(file)).ToDictionary(p => p.Path, p => p.Schema);

    private static IEnumerable<string> Enum(k8s.Models.V1JSONSchemaProps schema) =>
        schema.EnumProperty.Select(v => v is JsonElement e ? e.GetString()! : v.ToString()!);

    private static SortedDictionary<string, object> Defaults(string file) =>
        new(CrdFiles.Walk(CrdFiles.Schema(file)).Where(p => p.Schema.DefaultProperty is not null).ToDictionary(p => p.Path, p => p.Schema.DefaultProperty!), StringComparer.Ordinal);

    private static string Json(IDictionary<string, object> values) =>
        JsonSerializer.Serialize(new SortedDictionary<string, object>(values, StringComparer.Ordinal));
}

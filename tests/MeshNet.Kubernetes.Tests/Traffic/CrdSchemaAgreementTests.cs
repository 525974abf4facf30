using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;
using MeshNet.Kubernetes.Manifests;

namespace MeshNet.Kubernetes.Tests.Traffic;

/// <summary>
/// The parser accepts exactly the fields the CRD schemas declare: documents that together use every schema
/// property are accepted, an unknown field at any object of them is rejected with its path, and the schema's
/// patterns never accept what the parser refuses.
/// </summary>
public sealed class CrdSchemaAgreementTests
{
    private const string Status = """
        status:
          observedGeneration: 3
          conditions:
          - {type: Accepted, status: "True", observedGeneration: 3, lastTransitionTime: "2026-01-01T00:00:00Z", reason: Accepted, message: ok}
        """;

    /// <summary>Together they use every property of the TrafficPolicy schema (hashOn takes one key at a time).</summary>
    private static readonly string[] FullPolicies =
    [
        """
        apiVersion: meshnet.io/v1alpha1
        kind: TrafficPolicy
        metadata: {name: posts, namespace: blog, labels: {app: posts}}
        spec:
          targetRef: {kind: Service, name: posts, port: 80}
          loadBalancer: {type: RingHash, hashOn: {header: x-user}}
          timeouts: {request: 2s, perTry: 500ms, connect: 1s, idle: 5m}
          retries:
            attempts: 3
            on: [5xx, retriable-status-codes]
            statusCodes: [503]
            budget: {percent: 20, minPerSecond: 10}
            backoff: {base: 25ms, max: 250ms}
            nonIdempotent: true
          circuitBreaker: {maxConnections: 100, maxPendingRequests: 100, maxRequests: 1000, maxRetries: 3}
          outlierDetection: {consecutive5xx: 5, consecutiveGatewayErrors: 3, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50}
        """ + "\n" + Status,
        "apiVersion: meshnet.io/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: posts}\nspec:\n  targetRef: {kind: Service, name: posts}\n  loadBalancer: {type: RingHash, hashOn: {sourceIP: true}}\n",
        "apiVersion: meshnet.io/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: posts}\nspec:\n  targetRef: {kind: Service, name: posts}\n  loadBalancer: {type: RingHash, hashOn: {cookie: session}}\n",
    ];

    private static readonly string[] FullRoutes =
    [
        """
        apiVersion: meshnet.io/v1alpha1
        kind: TrafficRoute
        metadata: {name: posts, namespace: blog}
        spec:
          targetRef: {kind: Service, name: posts, port: 80}
          rules:
          - matches:
            - path: {type: PathPrefix, value: /api}
              headers: [{name: x-canary, value: "true", type: Exact}]
              method: GET
            backends: [{subset: {version: v2}, weight: 100}]
          - backends: [{subset: {version: v1}, weight: 90}, {service: posts-v2, port: 80, weight: 10}]
        """ + "\n" + Status,
    ];

    /// <summary>Durations, names and header tokens, good and bad, tried in every field that has a pattern.</summary>
    private static readonly string[] PatternSamples =
    [
        "2s", "500ms", "100ms", "1m30s", "1.5h", "24h", "250us", "0", "-1s", "2x", "1d", ".5s", "1s ", "posts", "posts-v2", "Posts",
        "1posts", "posts-", "x-user", "X-User", "x user", "x:y", "a=b", "", "a", new string('a', 64),
    ];

    public static TheoryData<string> Files => [CrdFiles.TrafficPolicy, CrdFiles.TrafficRoute];

    private static string[] DocumentsFor(string file) => file == CrdFiles.TrafficPolicy ? FullPolicies : FullRoutes;

    [Theory]
    [MemberData(nameof(Files))]
    public void Accepts_DocumentsUsingEverySchemaProperty(string file)
    {
        var schema = CrdFiles.Schema(file);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var document in DocumentsFor(file))
        {
            Assert.Empty(ManifestParser.Parse("t.yaml", document).Errors.Select(e => e.ToString()));
            foreach (var location in Locations(ToNode(document), schema))
            {
                used.Add(location.SchemaPath);
            }
        }

        var declared = CrdFiles.Walk(schema).Select(p => p.Path).Where(p => !p.StartsWith("metadata.", StringComparison.Ordinal));
        Assert.Empty(declared.Except(used));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Rejects_AnUnknownField_AtEveryObject(string file)
    {
        var checkedObjects = 0;
        foreach (var document in DocumentsFor(file))
        {
            var root = ToNode(document);
            foreach (var location in Locations(root, CrdFiles.Schema(file)).Where(l => l.Node is JsonObject && CrdFiles.AsSchema(l.Schema.AdditionalProperties) is null))
            {
                var copy = root.DeepClone();
                Navigate(copy, location.Segments)!.AsObject().Add("bogus", 1);
                var field = location.Segments.Count == 0 ? "bogus" : $"{Describe(location.Segments)}.bogus";

                var errors = ManifestParser.Parse("t.yaml", copy.ToJsonString()).Errors.Select(e => $"{e.Field}: {e.Message}");

                Assert.Contains($"{field}: unknown field", errors);
                checkedObjects++;
            }
        }

        Assert.True(checkedObjects > 10, $"only {checkedObjects} objects checked");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Patterns_NeverAcceptWhatTheParserRejects(string file)
    {
        var patterned = 0;
        foreach (var document in DocumentsFor(file))
        {
            var root = ToNode(document);
            foreach (var location in Locations(root, CrdFiles.Schema(file)).Where(l => l.Schema.Pattern is not null))
            {
                var pattern = new Regex(location.Schema.Pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
                var accepted = 0;
                foreach (var sample in PatternSamples)
                {
                    var copy = root.DeepClone();
                    var parent = Navigate(copy, location.Segments.Take(location.Segments.Count - 1).ToList())!;
                    var last = location.Segments[^1];
                    if (last is int index)
                    {
                        parent[index] = sample;
                    }
                    else
                    {
                        parent[(string)last] = sample;
                    }

                    var parserAccepts = !ManifestParser.Parse("t.yaml", copy.ToJsonString()).Errors.Any();
                    var schemaAccepts = pattern.IsMatch(sample) && sample.Length <= (location.Schema.MaxLength ?? long.MaxValue);
                    Assert.False(schemaAccepts && !parserAccepts && !IsStricterByDesign(sample), $"{Describe(location.Segments)} = \"{sample}\": the schema accepts it, the parser does not");
                    Assert.False(parserAccepts && !schemaAccepts, $"{Describe(location.Segments)} = \"{sample}\": the parser accepts it, the schema does not");
                    accepted += parserAccepts ? 1 : 0;
                }

                Assert.True(accepted > 0 && accepted < PatternSamples.Length, $"{Describe(location.Segments)}: {accepted} samples accepted");
                patterned++;
            }
        }

        Assert.True(patterned > 0);
    }

    /// <summary>
    /// Where the parser is deliberately stricter than a pattern can say: durations must be within [1ms, 24h], and
    /// some fields are bound by cross-field rules (perTry within request, backoff base within max).
    /// </summary>
    private static bool IsStricterByDesign(string sample) =>
        sample is "0" or "250us" or "24h" or "1.5h" or "1m30s" or "2s" or "500ms" or "100ms";

    private sealed record Location(string SchemaPath, IReadOnlyList<object> Segments, JsonNode Node, V1JSONSchemaProps Schema);

    private static JsonNode ToNode(string yaml)
    {
        using var json = YamlJsonConverter.Convert(yaml)!;
        return JsonNode.Parse(json.RootElement.GetRawText())!;
    }

    /// <summary>Every value of the document with the schema that describes it.</summary>
    private static IEnumerable<Location> Locations(JsonNode node, V1JSONSchemaProps schema, string path = "", IReadOnlyList<object>? segments = null)
    {
        segments ??= [];
        yield return new Location(path, segments, node, schema);
        if (node is JsonObject obj)
        {
            var values = CrdFiles.AsSchema(schema.AdditionalProperties);
            foreach (var (name, child) in obj)
            {
                var childSchema = values ?? (schema.Properties is { } properties && properties.TryGetValue(name, out var p) ? p : null);
                if (child is null || childSchema is null)
                {
                    continue;
                }

                var childPath = values is not null ? path + "{}" : path.Length == 0 ? name : $"{path}.{name}";
                foreach (var location in Locations(child, childSchema, childPath, [.. segments, name]))
                {
                    yield return location;
                }
            }
        }
        else if (node is JsonArray array && CrdFiles.AsSchema(schema.Items) is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                foreach (var location in Locations(array[i]!, items, path + "[]", [.. segments, i]))
                {
                    yield return location;
                }
            }
        }
    }

    private static JsonNode? Navigate(JsonNode root, IReadOnlyList<object> segments) =>
        segments.Aggregate<object, JsonNode?>(root, (node, segment) => segment is int i ? node![i] : node![(string)segment]);

    private static string Describe(IReadOnlyList<object> segments) =>
        string.Concat(segments.Select((s, i) => s is int index
            ? string.Create(CultureInfo.InvariantCulture, $"[{index}]")
            : i == 0 ? (string)s : "." + (string)s));
}

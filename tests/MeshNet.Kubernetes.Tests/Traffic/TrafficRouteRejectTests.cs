using static MeshNet.Kubernetes.Tests.Traffic.TrafficParsing;

namespace MeshNet.Kubernetes.Tests.Traffic;

/// <summary>One invalid TrafficRoute per case, with the exact errors a user sees (resource blog/posts in "t.yaml").</summary>
public sealed class TrafficRouteRejectTests
{
    private const string Target = "spec:\n  targetRef: {kind: Service, name: posts}\n  rules:\n";
    private const string Prefix = "t.yaml: document 0: TrafficRoute blog/posts: ";
    private const string V1 = "    backends: [{subset: {version: v1}}]\n";

    public static TheoryData<string, string> Specs => new()
    {
        // Structure, from the CRD schema.
        { "spec:\n  targetRef: {kind: Service, name: posts}\n", "spec.rules: required" },
        { "spec:\n  rules: [{backends: [{service: posts}]}]\n", "spec.targetRef: required" },
        { "spec:\n  targetRef: {kind: Service, name: posts}\n  rules: []\n", "spec.rules: must have at least 1 item" },
        { Target + "  - {}\n", "spec.rules[0].backends: required" },
        { Target + "  - backends: []\n", "spec.rules[0].backends: must have at least 1 item" },
        { Target + "  - match: [{method: GET}]\n" + V1, "spec.rules[0].match: unknown field" },
        { Target + "  - matches: [{method: GET, query: {a: b}}]\n" + V1, "spec.rules[0].matches[0].query: unknown field" },
        { Target + "  - matches: [{method: get}]\n" + V1, "spec.rules[0].matches[0].method: unsupported value \"get\": must be one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH" },
        { Target + "  - matches: [{method: FETCH}]\n" + V1, "spec.rules[0].matches[0].method: unsupported value \"FETCH\": must be one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH" },
        { Target + "  - matches: [{path: {type: Prefix, value: /a}}]\n" + V1, "spec.rules[0].matches[0].path.type: unsupported value \"Prefix\": must be one of PathPrefix, Exact, RegularExpression" },
        { Target + "  - matches: [{path: {type: Exact}}]\n" + V1, "spec.rules[0].matches[0].path.value: required" },
        { Target + "  - matches: [{headers: [{name: x-a}]}]\n" + V1, "spec.rules[0].matches[0].headers[0].value: required" },
        { Target + "  - matches: [{headers: [{name: x-a, value: b, type: Prefix}]}]\n" + V1, "spec.rules[0].matches[0].headers[0].type: unsupported value \"Prefix\": must be one of Exact, RegularExpression" },
        { Target + "  - backends: [{subset: {version: v1}, weight: 1001}]\n", "spec.rules[0].backends[0].weight: invalid value 1001: must be 0-1000" },
        { Target + "  - backends: [{subset: {version: v1}, weight: -1}]\n", "spec.rules[0].backends[0].weight: invalid value -1: must be 0-1000" },
        { Target + "  - backends: [{subset: {}}]\n", "spec.rules[0].backends[0].subset: must have at least 1 entry" },
        { Target + "  - backends: [{subset: {version: 2}}]\n", "spec.rules[0].backends[0].subset[version]: expected string, got number" },
        { Target + "  - backends: [{subset: {version: v1}, labels: {a: b}}]\n", "spec.rules[0].backends[0].labels: unknown field" },
        { Target + "  - backends: [{service: posts-v2, port: 0}]\n", "spec.rules[0].backends[0].port: invalid value 0: must be 1-65535" },

        // Rules the schema cannot state.
        { Target + "  - backends: [{subset: {version: v1}, weight: 0}, {service: posts-v2, weight: 0}]\n", "spec.rules[0].backends: weights are all zero" },
        { Target + "  - backends: [{subset: {version: v1}}]\n  - backends: [{subset: {version: v1}, weight: 0}]\n", "spec.rules[1].backends: weights are all zero" },
        { Target + "  - backends: [{weight: 10}]\n", "spec.rules[0].backends[0]: set exactly one of subset or service" },
        { Target + "  - backends: [{subset: {version: v2}, service: posts-v2}]\n", "spec.rules[0].backends[0]: set exactly one of subset or service" },
        { Target + "  - backends: [{subset: {version: v2}, port: 80}]\n", "spec.rules[0].backends[0].port: only allowed with service" },
        { Target + "  - backends: [{service: Posts}]\n", "spec.rules[0].backends[0].service: invalid name \"Posts\": must be a DNS-1035 label (at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit)" },
        { Target + "  - backends: [{subset: {\"-bad\": v1}}]\n", "spec.rules[0].backends[0].subset[-bad]: invalid key \"-bad\": must be a name of at most 63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit, optionally prefixed by a DNS subdomain and '/'" },
        { Target + "  - backends: [{subset: {version: \"v 1\"}}]\n", "spec.rules[0].backends[0].subset[version]: invalid label value \"v 1\": must be empty or at most 63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit" },
        { Target + "  - matches: [{path: {value: api}}]\n" + V1, "spec.rules[0].matches[0].path.value: invalid path \"api\": must start with \"/\"" },
        { Target + "  - matches: [{path: {type: Exact, value: \"\"}}]\n" + V1, "spec.rules[0].matches[0].path.value: invalid path \"\": must start with \"/\"" },
        { Target + "  - matches: [{path: {type: RegularExpression, value: \"/posts/(\"}}]\n" + V1, "spec.rules[0].matches[0].path.value: invalid regular expression \"/posts/(\": Invalid pattern '/posts/(' at offset 8. Not enough )'s." },
        { Target + "  - matches: [{headers: [{name: x-a, value: \"[a-\", type: RegularExpression}]}]\n" + V1, "spec.rules[0].matches[0].headers[0].value: invalid regular expression \"[a-\": Invalid pattern '[a-' at offset 3. Unterminated [] set." },
        { Target + "  - matches: [{headers: [{name: \"x:a\", value: b}]}]\n" + V1, "spec.rules[0].matches[0].headers[0].name: invalid header name \"x:a\": must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)" },
        { Target + "  - matches: [{headers: [{name: \"\", value: b}]}]\n" + V1, "spec.rules[0].matches[0].headers[0].name: invalid header name \"\": must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)" },
        { "spec:\n  targetRef: {kind: Service, name: posts-}\n  rules: [{backends: [{service: posts}]}]\n", "spec.targetRef.name: invalid name \"posts-\": must be a DNS-1035 label (at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit)" },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Rejects_InvalidRoute_NamingTheField(string spec, string expected) =>
        Assert.Equal(Prefix + expected, Reject(RouteHeader + spec));

    [Fact]
    public void Reports_EveryProblem_NotJustTheFirst() =>
        Assert.Equal(
            Prefix + "spec.rules[0].matches[0].path.value: invalid path \"a\": must start with \"/\"\n"
            + Prefix + "spec.rules[0].backends: weights are all zero\n"
            + Prefix + "spec.rules[1].backends[0]: set exactly one of subset or service",
            Reject(RouteHeader + Target + "  - matches: [{path: {value: a}}]\n    backends: [{service: a, weight: 0}]\n  - backends: [{}]\n"));
}

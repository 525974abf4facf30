using MeshNet.Model.Security;
using static MeshNet.Kubernetes.Tests.Traffic.TrafficParsing;

namespace MeshNet.Kubernetes.Tests.Security;

/// <summary>AuthorizationPolicy manifests: what is accepted and what the model gets, and each rejection with its exact message.</summary>
public sealed class AuthorizationPolicyParsingTests
{
    private const string Header = "apiVersion: meshnet.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: {name: posts-readers, namespace: blog}\n";
    private const string Target = "spec:\n  targetRef: {kind: Service, name: posts}\n";
    private const string Prefix = "t.yaml: document 0: AuthorizationPolicy blog/posts-readers: ";

    [Fact]
    public void Accepts_TargetRefPolicyFromTheIssue()
    {
        var policy = Assert.IsType<AuthorizationPolicy>(Accept(Header + """
            spec:
              targetRef: {kind: Service, name: posts}
              action: Allow
              rules:
              - from: [{serviceAccounts: [blog/frontend]}, {namespaces: [ops]}]
                to: [{ports: [80], methods: [GET], paths: [/posts/*]}]
            """));

        var expected = new AuthorizationPolicy(
            "blog",
            "posts-readers",
            new AuthorizationTarget("posts", null),
            AuthorizationAction.Allow,
            [new AuthorizationRule(
                [new AuthorizationSource(["blog/frontend"], []), new AuthorizationSource([], ["ops"])],
                [new AuthorizationOperation([80], ["GET"], ["/posts/*"])])]);
        AssertSame(expected, policy);
    }

    [Fact]
    public void Accepts_SelectorDenyPolicy_WithEmptyRuleMatchingEverything()
    {
        var policy = Assert.IsType<AuthorizationPolicy>(Accept(Header + "spec:\n  selector: {matchLabels: {app: posts}}\n  action: Deny\n  rules: [{}]\n"));

        Assert.Null(policy.Target.ServiceName);
        Assert.Equal("posts", policy.Target.Selector!["app"]);
        Assert.Equal(AuthorizationAction.Deny, policy.Action);
        var rule = Assert.Single(policy.Rules);
        Assert.Empty(rule.From);
        Assert.Empty(rule.To);
    }

    [Fact]
    public void Defaults_ActionToAllow_AndRulesToNone()
    {
        var policy = Assert.IsType<AuthorizationPolicy>(Accept(Header + Target));

        Assert.Equal(AuthorizationAction.Allow, policy.Action);
        Assert.Empty(policy.Rules);
        Assert.False(policy.Rules.IsDefault);
    }

    public static TheoryData<string, string> Rejections => new()
    {
        // Structure, from the CRD schema.
        { "", "spec: required" },
        { Target + "  actions: Allow\n", "spec.actions: unknown field" },
        { Target + "  action: Audit\n", "spec.action: unsupported value \"Audit\": must be one of Allow, Deny" },
        { "spec:\n  targetRef: {kind: Service, name: posts, port: 80}\n", "spec.targetRef.port: unknown field" },
        { "spec:\n  targetRef: {kind: Deployment, name: posts}\n", "spec.targetRef.kind: unsupported value \"Deployment\": must be one of Service" },
        { "spec:\n  selector: {app: posts}\n", "spec.selector.app: unknown field\n" + Prefix + "spec.selector.matchLabels: required" },
        { "spec:\n  selector: {matchLabels: {}}\n", "spec.selector.matchLabels: must have at least 1 entry" },
        { Target + "  rules: [{from: [{users: [bob]}]}]\n", "spec.rules[0].from[0].users: unknown field" },
        { Target + "  rules: [{to: [{ports: [0]}]}]\n", "spec.rules[0].to[0].ports[0]: invalid value 0: must be 1-65535" },
        { Target + "  rules: [{to: [{ports: [http]}]}]\n", "spec.rules[0].to[0].ports[0]: expected integer, got string" },
        { Target + "  rules: [{to: [{methods: [GET, GET]}]}]\n", "spec.rules[0].to[0].methods[1]: duplicate value \"GET\"" },

        // Rules the schema cannot state.
        { "spec:\n  action: Allow\n", "spec: set exactly one of targetRef or selector" },
        { "spec:\n  targetRef: {kind: Service, name: posts}\n  selector: {matchLabels: {app: posts}}\n", "spec: set exactly one of targetRef or selector" },
        { "spec:\n  targetRef: {kind: Service, name: Posts}\n", "spec.targetRef.name: invalid name \"Posts\": must be a DNS-1035 label (at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit)" },
        { "spec:\n  selector: {matchLabels: {app: \"-bad\"}}\n", "spec.selector.matchLabels[app]: invalid label value \"-bad\": must be empty or at most 63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit" },
        { Target + "  rules: [{from: [{}]}]\n", "spec.rules[0].from[0]: set serviceAccounts or namespaces" },
        { Target + "  rules: [{from: [{serviceAccounts: []}]}]\n", "spec.rules[0].from[0]: set serviceAccounts or namespaces" },
        { Target + "  rules: [{to: [{}]}]\n", "spec.rules[0].to[0]: set ports, methods or paths" },
        { Target + "  rules: [{from: [{serviceAccounts: [frontend]}]}]\n", "spec.rules[0].from[0].serviceAccounts[0]: invalid service account \"frontend\": must be namespace/name" },
        { Target + "  rules: [{from: [{serviceAccounts: [blog/web/frontend]}]}]\n", "spec.rules[0].from[0].serviceAccounts[0]: invalid service account \"blog/web/frontend\": must be namespace/name" },
        { Target + "  rules: [{from: [{serviceAccounts: [Blog/frontend]}]}]\n", "spec.rules[0].from[0].serviceAccounts[0]: invalid service account \"Blog/frontend\": namespace: invalid name \"Blog\": must be a DNS-1123 label (at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit)" },
        { Target + "  rules: [{from: [{namespaces: [ops_team]}]}]\n", "spec.rules[0].from[0].namespaces[0]: invalid name \"ops_team\": must be a DNS-1123 label (at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit)" },
        { Target + "  rules: [{to: [{methods: [get]}]}]\n", "spec.rules[0].to[0].methods[0]: invalid method \"get\": must be an upper-case HTTP method such as GET or POST" },
        { Target + "  rules: [{to: [{methods: [\"GET /\"]}]}]\n", "spec.rules[0].to[0].methods[0]: invalid method \"GET /\": must be an upper-case HTTP method such as GET or POST" },
        { Target + "  rules: [{to: [{paths: [posts]}]}]\n", "spec.rules[0].to[0].paths[0]: invalid path \"posts\": must start with /" },
        { Target + "  rules: [{to: [{paths: [/posts*]}]}]\n", "spec.rules[0].to[0].paths[0]: invalid path \"/posts*\": * is only allowed as a trailing /*" },
        { Target + "  rules: [{to: [{paths: [/*/comments]}]}]\n", "spec.rules[0].to[0].paths[0]: invalid path \"/*/comments\": * is only allowed as a trailing /*" },
        { Target + "  rules: [{to: [{paths: [\"/posts?id=1\"]}]}]\n", "spec.rules[0].to[0].paths[0]: invalid path \"/posts?id=1\": must not contain a query or fragment" },
        { Target + "  rules: [{to: [{paths: [/posts/../admin]}]}]\n", "spec.rules[0].to[0].paths[0]: invalid path \"/posts/../admin\": must not contain . or .. segments" },
        { Target + "  rules: [{to: [{paths: [//posts]}]}]\n", "spec.rules[0].to[0].paths[0]: invalid path \"//posts\": must not contain //" },
        { Target + "  rules: [{to: [{paths: [/a%2Fb]}]}]\n", "spec.rules[0].to[0].paths[0]: invalid path \"/a%2Fb\": must not contain %2F, %5C or %00: requests with them are refused" },
        { Target + "  rules: [{to: [{paths: [/%61dmin]}]}]\n", "spec.rules[0].to[0].paths[0]: invalid path \"/%61dmin\": write 'a' instead of its escape: requests are compared with unreserved characters decoded" },
        { Target + "  rules: [{to: [{paths: [/a%3bb]}]}]\n", "spec.rules[0].to[0].paths[0]: invalid path \"/a%3bb\": escapes must use upper-case hex digits" },
        { Target + "  rules: [{to: [{paths: [/a%zz]}]}]\n", "spec.rules[0].to[0].paths[0]: invalid path \"/a%zz\": % must start an escape of two hex digits" },
        { Target + "  rules: [{to: [{paths: [\"/a\\\\b\"]}]}]\n", "spec.rules[0].to[0].paths[0]: invalid path \"/a\\b\": must contain only printable ASCII without spaces or backslashes" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Rejects_InvalidPolicy_NamingResourceAndField(string spec, string expected) =>
        Assert.Equal(Prefix + expected, Reject(Header + spec));

    [Theory]
    [InlineData("/posts")]
    [InlineData("/posts/*")]
    [InlineData("/*")]
    [InlineData("/files/a%20b")]
    [InlineData("/")]
    public void Accepts_NormalisedPaths(string path) =>
        Assert.IsType<AuthorizationPolicy>(Accept(Header + Target + $"  rules: [{{to: [{{paths: [\"{path}\"]}}]}}]\n"));
}

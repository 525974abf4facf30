using MeshNet.Protocol.V1;
using MeshNet.Proxy.Authorization;

namespace MeshNet.Proxy.Tests.Authorization;

/// <summary>The decision: deny wins, default deny, allow lists, principals vs namespaces, ports/methods/paths.</summary>
public sealed class InboundPoliciesTests
{
    private const string Frontend = "spiffe://cluster.local/ns/blog/sa/frontend";
    private const string Comments = "spiffe://cluster.local/ns/blog/sa/comments";
    private const string Ops = "spiffe://cluster.local/ns/ops/sa/oncall";

    [Fact]
    public void AllowsEverything_WithoutPolicies()
    {
        var policies = InboundPolicies.Compile(new Inbound());

        Assert.True(policies.AllowsEverything);
        Assert.True(policies.Decide(Request(null, "/anything")).Allowed);
    }

    [Fact]
    public void DefaultDeny_DeniesEverything_WithoutAllowPolicies()
    {
        var policies = InboundPolicies.Compile(new Inbound { DefaultDeny = true });

        var decision = policies.Decide(Request(Frontend, "/posts/1"));

        Assert.False(decision.Allowed);
        Assert.Equal("default-deny", decision.Policy);
    }

    [Fact]
    public void AllowPolicy_AllowsOnlyWhatItMatches()
    {
        var policies = InboundPolicies.Compile(Inbound(Allow("blog/readers", Both(From(principals: [Frontend]), To(ports: [8080], methods: ["GET"], paths: ["/posts/*"])))));

        Assert.True(policies.Decide(Request(Frontend, "/posts/1")).Allowed);
        Assert.True(policies.Decide(Request(Frontend, "/posts/")).Allowed);
        Assert.False(policies.Decide(Request(Frontend, "/posts")).Allowed);
        Assert.False(policies.Decide(Request(Frontend, "/posts/1", method: "POST")).Allowed);
        Assert.False(policies.Decide(Request(Frontend, "/posts/1", port: 9090)).Allowed);
        var denied = policies.Decide(Request(Comments, "/posts/1"));
        Assert.False(denied.Allowed);
        Assert.Equal("blog/readers", denied.Policy);
        Assert.False(policies.Decide(Request(null, "/posts/1")).Allowed);
    }

    [Fact]
    public void DenyWins_OverAMatchingAllow()
    {
        var policies = InboundPolicies.Compile(Inbound(
            Allow("blog/everyone", new AuthorizationRule()),
            Deny("blog/no-admin", To(paths: ["/admin", "/admin/*"]))));

        Assert.True(policies.Decide(Request(Frontend, "/posts/1")).Allowed);
        var decision = policies.Decide(Request(Frontend, "/admin/users"));
        Assert.False(decision.Allowed);
        Assert.Equal("blog/no-admin", decision.Policy);
        Assert.False(policies.Decide(Request(null, "/admin")).Allowed);
        Assert.True(policies.Decide(Request(null, "/administrator")).Allowed);
    }

    [Fact]
    public void DenyPolicies_AloneLeaveOtherRequestsAllowed()
    {
        var policies = InboundPolicies.Compile(Inbound(Deny("blog/no-comments", From(principals: [Comments]))));

        Assert.True(policies.Decide(Request(Frontend, "/")).Allowed);
        Assert.True(policies.Decide(Request(null, "/")).Allowed);
        Assert.False(policies.Decide(Request(Comments, "/")).Allowed);
    }

    [Fact]
    public void Namespaces_MatchAnyIdentityInThem_ButNeverPlaintext()
    {
        var policies = InboundPolicies.Compile(Inbound(Allow("blog/ops", From(namespaces: ["ops"]))));

        Assert.True(policies.Decide(Request(Ops, "/")).Allowed);
        Assert.False(policies.Decide(Request(Frontend, "/")).Allowed);
        Assert.False(policies.Decide(Request(null, "/")).Allowed);
    }

    [Fact]
    public void RulesAreOred_FieldsWithinASourceAreAnded()
    {
        var both = new AuthorizationSource();
        both.Principals.Add(Frontend);
        both.Namespaces.Add("ops");
        var policies = InboundPolicies.Compile(Inbound(
            Allow("blog/either", From(principals: [Comments]), From(namespaces: ["ops"])),
            Allow("blog/both", new AuthorizationRule { From = { both } })));

        Assert.True(policies.Decide(Request(Comments, "/")).Allowed);
        Assert.True(policies.Decide(Request(Ops, "/")).Allowed);
        Assert.False(policies.Decide(Request(Frontend, "/")).Allowed);
    }

    [Fact]
    public void PolicyWithoutRules_MatchesNothing()
    {
        var policies = InboundPolicies.Compile(Inbound(new AuthorizationPolicy { Name = "blog/empty", Action = AuthorizationPolicy.Types.Action.Deny }));

        Assert.True(policies.Decide(Request(Frontend, "/")).Allowed);
    }

    [Fact]
    public void UnmatchedRequest_NamesEveryAllowPolicy()
    {
        var policies = InboundPolicies.Compile(Inbound(
            Allow("blog/b", From(principals: [Ops])),
            Allow("blog/a", From(principals: [Comments]))));

        Assert.Equal("blog/a, blog/b", policies.Decide(Request(Frontend, "/")).Policy);
    }

    [Fact]
    public void PrefixStar_MatchesEveryPath()
    {
        var policies = InboundPolicies.Compile(Inbound(Allow("blog/all-get", To(methods: ["GET"], paths: ["/*"]))));

        Assert.True(policies.Decide(Request(null, "/")).Allowed);
        Assert.True(policies.Decide(Request(null, "/a/b")).Allowed);
        Assert.False(policies.Decide(Request(null, "/a", method: "DELETE")).Allowed);
    }

    [Fact]
    public void Connection_DenyRuleWithHttpConditions_DeniesOnItsPortsAlone()
    {
        var policies = InboundPolicies.Compile(Inbound(Deny("blog/no-admin", To(ports: [5432], paths: ["/admin"]))));

        var decision = policies.DecideConnection(null, null, 5432);
        Assert.False(decision.Allowed);
        Assert.Equal("blog/no-admin", decision.Policy);
        Assert.True(policies.DecideConnection(null, null, 6379).Allowed);
    }

    [Fact]
    public void Connection_AllowRuleWithHttpConditions_NeverMatches()
    {
        var policies = InboundPolicies.Compile(Inbound(
            Allow("blog/http-only", To(ports: [5432], methods: ["GET"])),
            Allow("blog/ops-db", Both(From(namespaces: ["ops"]), To(ports: [6379])))));

        Assert.False(policies.DecideConnection(Ops, "ops", 5432).Allowed);
        Assert.True(policies.DecideConnection(Ops, "ops", 6379).Allowed);
        Assert.False(policies.DecideConnection(null, null, 6379).Allowed);
    }

    [Fact]
    public void Connection_DefaultDeny_ClosesPlaintextConnections()
    {
        var policies = InboundPolicies.Compile(new Inbound { DefaultDeny = true });

        Assert.Equal(new AuthorizationDecision(false, "default-deny"), policies.DecideConnection(null, null, 5432));
    }

    private static AuthorizationRequest Request(string? principal, string path, string method = "GET", int port = 8080) =>
        new(principal, PeerIdentity.NamespaceOf(principal), port, method, path);

    private static Inbound Inbound(params AuthorizationPolicy[] policies)
    {
        var inbound = new Inbound();
        inbound.Authorization.Add(policies);
        return inbound;
    }

    private static AuthorizationPolicy Allow(string name, params AuthorizationRule[] rules) => Policy(name, AuthorizationPolicy.Types.Action.Allow, rules);

    private static AuthorizationPolicy Deny(string name, params AuthorizationRule[] rules) => Policy(name, AuthorizationPolicy.Types.Action.Deny, rules);

    private static AuthorizationPolicy Policy(string name, AuthorizationPolicy.Types.Action action, AuthorizationRule[] rules)
    {
        var policy = new AuthorizationPolicy { Name = name, Action = action };
        policy.Rules.Add(rules);
        return policy;
    }

    /// <summary>One rule with the sources of one and the operations of the other.</summary>
    private static AuthorizationRule Both(AuthorizationRule from, AuthorizationRule to) => new() { From = { from.From }, To = { to.To } };

    private static AuthorizationRule From(string[]? principals = null, string[]? namespaces = null)
    {
        var source = new AuthorizationSource();
        source.Principals.Add(principals ?? []);
        source.Namespaces.Add(namespaces ?? []);
        return new AuthorizationRule { From = { source } };
    }

    private static AuthorizationRule To(uint[]? ports = null, string[]? methods = null, string[]? paths = null)
    {
        var operation = new AuthorizationOperation();
        operation.Ports.Add(ports ?? []);
        operation.Methods.Add(methods ?? []);
        operation.Paths.Add(paths ?? []);
        return new AuthorizationRule { To = { operation } };
    }
}

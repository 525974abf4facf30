using System.Collections.Immutable;
using Google.Protobuf;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Indexing;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using MeshNet.Model.Security;
using Inbound = MeshNet.Protocol.V1.Inbound;
using MtlsMode = MeshNet.Protocol.V1.MtlsMode;
using static MeshNet.ControlPlane.Tests.TestResources;
using WorkloadPort = MeshNet.Model.WorkloadPort;

namespace MeshNet.ControlPlane.Tests.Authorization;

/// <summary>AuthorizationPolicies and Namespace annotations compiled into each sidecar's Inbound.</summary>
public sealed class AuthorizationCompileTests
{
    private static readonly JsonFormatter Indented = new(JsonFormatter.Settings.Default.WithIndentation("  "));

    private static readonly MeshService Posts = Service("blog", "posts", "app=posts");

    private static readonly ProxyIdentity PostsV1 = Proxy("posts-v1", "app=posts,version=v1");
    private static readonly ProxyIdentity PostsV2 = Proxy("posts-v2", "app=posts,version=v2");
    private static readonly ProxyIdentity Comments = Proxy("comments-1", "app=comments");

    /// <summary>The example: frontend (or anyone in ops) may GET /posts/* on port 8080.</summary>
    private static readonly AuthorizationPolicy Readers = Policy(
        "posts-readers",
        new AuthorizationTarget("posts", null),
        AuthorizationAction.Allow,
        new AuthorizationRule(
            [new AuthorizationSource(["blog/frontend"], []), new AuthorizationSource([], ["ops"])],
            [new AuthorizationOperation([8080], ["GET"], ["/posts/*"])]));

    private static readonly AuthorizationPolicy NoDeletesOnV2 = Policy(
        "no-deletes-v2",
        new AuthorizationTarget(null, Labels("version=v2")),
        AuthorizationAction.Deny,
        new AuthorizationRule([], [new AuthorizationOperation([], ["DELETE"], [])]));

    [Fact]
    public void Compiles_PoliciesAndNamespaceAnnotations_IntoInbound()
    {
        var index = Index(Namespace("blog", ("meshnet.io/default-policy", "deny"), ("meshnet.io/mtls", "strict")), Posts, Readers, NoDeletesOnV2);

        Golden.Assert("authorization-posts-v2.json", Indented.Format(new MeshConfigCompiler().Compile(index, PostsV2).Inbound));
    }

    [Fact]
    public void TargetRef_AppliesToTheServicesWorkloads_SelectorToItsOwn()
    {
        var compiler = new MeshConfigCompiler();
        var index = Index(Posts, Readers, NoDeletesOnV2);

        Assert.Equal(["blog/posts-readers"], Names(compiler.Compile(index, PostsV1).Inbound));
        Assert.Equal(["blog/no-deletes-v2", "blog/posts-readers"], Names(compiler.Compile(index, PostsV2).Inbound));
        Assert.Empty(Names(compiler.Compile(index, Comments).Inbound));
        Assert.Empty(Names(compiler.Compile(index, PostsV1 with { Namespace = "shop" }).Inbound));
    }

    [Fact]
    public void ServiceAccounts_BecomeSpiffePrincipals_InTheTrustDomain()
    {
        var inbound = new MeshConfigCompiler(trustDomain: "mesh.example").Compile(Index(Posts, Readers), PostsV1).Inbound;

        var sources = inbound.Authorization.Single().Rules.Single().From;
        Assert.Equal(["spiffe://mesh.example/ns/blog/sa/frontend"], sources[0].Principals);
        Assert.Equal(["ops"], sources[1].Namespaces);
    }

    [Fact]
    public void NamespacesWithoutAnnotations_ArePermissiveAndNotDefaultDeny()
    {
        var inbound = new MeshConfigCompiler().Compile(Index(Namespace("blog"), Posts), PostsV1).Inbound;

        Assert.Equal(MtlsMode.Permissive, inbound.Mtls);
        Assert.False(inbound.DefaultDeny);
    }

    [Theory]
    [InlineData("meshnet.io/mtls", "STRICT", "metadata.annotations[meshnet.io/mtls]: unsupported value \"STRICT\": must be one of strict, permissive, disabled")]
    [InlineData("meshnet.io/default-policy", "reject", "metadata.annotations[meshnet.io/default-policy]: unsupported value \"reject\": must be one of allow, deny")]
    public void InvalidAnnotation_IsAnErrorOnTheNamespace_AndTheLastAcceptedValueStays(string annotation, string value, string expected)
    {
        var before = Index(Namespace("blog", ("meshnet.io/default-policy", "deny"), ("meshnet.io/mtls", "disabled")), Posts);
        var after = Apply(before, Namespace("blog", ("meshnet.io/default-policy", "deny"), ("meshnet.io/mtls", "disabled"), (annotation, value)));

        var error = Assert.Single(after.Authorization.Errors);
        Assert.Equal(new ResourceKey(ResourceKinds.Namespace, string.Empty, "blog"), error.Resource);
        Assert.Equal(expected, $"{error.Field}: {error.Message}");
        var inbound = new MeshConfigCompiler().Compile(after, PostsV1).Inbound;
        Assert.True(inbound.DefaultDeny);
        Assert.Equal(MtlsMode.Disabled, inbound.Mtls);
    }

    [Fact]
    public void UnknownTargetService_IsAnError_AndTheLastAcceptedVersionStays()
    {
        var unknown = Policy("orphan", new AuthorizationTarget("ratings", null), AuthorizationAction.Allow);
        var index = Index(Posts, unknown);
        var error = Assert.Single(index.Authorization.Errors);
        Assert.Equal("AuthorizationPolicy blog/orphan: spec.targetRef.name: Service blog/ratings does not exist", $"{error.Resource}: {error.Field}: {error.Message}");
        Assert.Empty(index.Authorization.Accepted);

        var compiler = new MeshConfigCompiler();
        var retargeted = Apply(Index(Posts, Readers), Readers with { Target = new AuthorizationTarget("ratings", null) });
        Assert.Single(retargeted.Authorization.Errors);
        Assert.Equal(["blog/posts-readers"], Names(compiler.Compile(retargeted, PostsV1).Inbound));
        Assert.Same(Readers, retargeted.Authorization.Accepted[Readers.Key].Policy);
    }

    [Fact]
    public void DeletingTheTargetService_KeepsProtectingItsWorkloads_UntilThePolicyGoes()
    {
        var index = Delete(Index(Posts, Readers), Posts.Key);

        Assert.Equal("Service blog/posts does not exist", Assert.Single(index.Authorization.Errors).Message);
        Assert.Equal(["blog/posts-readers"], Names(new MeshConfigCompiler().Compile(index, PostsV1).Inbound));

        var gone = Delete(index, Readers.Key);
        Assert.Empty(gone.Authorization.Errors);
        Assert.Empty(Names(new MeshConfigCompiler().Compile(gone, PostsV1).Inbound));
    }

    [Fact]
    public void SelectorlessTargetService_IsAnError()
    {
        var index = Index(Service("blog", "external-db"), Policy("db", new AuthorizationTarget("external-db", null), AuthorizationAction.Deny));

        Assert.Equal(
            "Service blog/external-db has no selector: target its workloads with spec.selector",
            Assert.Single(index.Authorization.Errors).Message);
    }

    [Fact]
    public void UnrelatedChanges_KeepTheSameAuthorizationState()
    {
        var index = Index(Posts, Readers);

        var after = Apply(index, Sidecar("blog", "posts-9", "app=posts", "127.0.1.9"));

        Assert.Same(index.Authorization, after.Authorization);
    }

    [Fact]
    public void NewPolicy_ChangesTheSidecarsInbound_SoItGetsANewVersion()
    {
        var compiler = new MeshConfigCompiler();
        var before = Index(Posts);
        var first = compiler.Compile(before, PostsV1);

        var second = compiler.Compile(Apply(before, Readers), PostsV1);

        Assert.False(second.SameContentAs(first));
        Assert.True(compiler.Compile(Apply(before, Readers), PostsV1).SameContentAs(second));
    }

    private static string[] Names(Inbound inbound) => [.. inbound.Authorization.Select(p => p.Name)];

    private static ProxyIdentity Proxy(string name, string labels) =>
        new("blog", name, [new WorkloadPort("http", 8080, "TCP")], 8080, Labels(labels.Split(',')));

    private static AuthorizationPolicy Policy(string name, AuthorizationTarget target, AuthorizationAction action, params AuthorizationRule[] rules) =>
        new("blog", name, target, action, [.. rules]);

    private static MeshNamespace Namespace(string name, params (string Key, string Value)[] annotations) =>
        new(name, ImmutableDictionary<string, string>.Empty, annotations.Aggregate(
            ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal), (all, a) => all.SetItem(a.Key, a.Value)));

    private static MeshIndex Apply(MeshIndex index, params MeshResource[] resources)
    {
        ResourceChange[] changes = [.. resources.Select(r => new ResourceChange(r.Key, Existing(index.Snapshot, r.Key), r))];
        return index.Update(index.Snapshot.Apply(changes), changes);
    }

    private static MeshIndex Delete(MeshIndex index, ResourceKey key)
    {
        ResourceChange[] changes = [new(key, Existing(index.Snapshot, key), null)];
        return index.Update(index.Snapshot.Apply(changes), changes);
    }

    private static MeshResource? Existing(MeshSnapshot snapshot, ResourceKey key) =>
        (MeshResource?)snapshot.Authorization.GetValueOrDefault(key)
        ?? (MeshResource?)snapshot.Namespaces.GetValueOrDefault(key)
        ?? (MeshResource?)snapshot.Services.GetValueOrDefault(key)
        ?? snapshot.Workloads.GetValueOrDefault(key);
}

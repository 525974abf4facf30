using Grpc.Net.Client;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Tests.Authorization;

/// <summary>
/// AuthorizationPolicy and Namespace annotations through the real manifest source, tracker, debounce and discovery
/// stream: the selected sidecar receives them in its Inbound, and an edit to the policy reaches it as a new version.
/// </summary>
public sealed class AuthorizationManifestTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private ManifestControlPlane _mesh = null!;

    private static string Policy(string method) => $$$"""
        apiVersion: meshnet.io/v1alpha1
        kind: AuthorizationPolicy
        metadata: {name: posts-readers, namespace: blog}
        spec:
          targetRef: {kind: Service, name: posts}
          rules:
          - from: [{serviceAccounts: [blog/frontend]}]
            to: [{methods: [{{{method}}}], paths: [/posts/*]}]
        """;

    public async Task InitializeAsync() => _mesh = await ManifestControlPlane.StartAsync(
        "mnt-authz",
        ("blog.yaml", string.Join("\n---\n",
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: blog
              annotations: {meshnet.io/default-policy: deny, meshnet.io/mtls: strict}
            """,
            """
            apiVersion: v1
            kind: Service
            metadata: {name: posts, namespace: blog}
            spec:
              selector: {app: posts}
              ports: [{name: http, port: 80, targetPort: http}]
            """)),
        ("authz.yaml", Policy("GET")));

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    [Fact]
    public async Task Streams_PoliciesAndAnnotations_InTheSelectedSidecarsInbound_AndAnEditAsANewVersion()
    {
        using var channel = GrpcChannel.ForAddress($"http://{_mesh.App.GrpcEndPoint}");
        using var call = new Protocol.V1.Discovery.DiscoveryClient(channel).Stream();
        using var deadline = new CancellationTokenSource(Deadline);
        await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = DiscoveryHarness.Node("posts-1", "app=posts", "127.0.1.11") });
        Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
        var response = call.ResponseStream.Current;

        Assert.Equal((true, MtlsMode.Strict), (response.Inbound.DefaultDeny, response.Inbound.Mtls));
        var policy = response.Inbound.Authorization.Single();
        Assert.Equal("blog/posts-readers", policy.Name);
        Assert.Equal(["spiffe://cluster.local/ns/blog/sa/frontend"], policy.Rules.Single().From.Single().Principals);
        Assert.Equal(["GET"], policy.Rules.Single().To.Single().Methods);

        await _mesh.WriteAsync("authz.yaml", Policy("POST"), deadline.Token);
        do
        {
            await call.RequestStream.WriteAsync(new DiscoveryRequest { VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce }, deadline.Token);
            Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
            response = call.ResponseStream.Current;
        }
        while (response.Inbound is null);

        Assert.Equal(["POST"], response.Inbound.Authorization.Single().Rules.Single().To.Single().Methods);
    }
}

using MeshNet.ControlPlane.Allocation;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using Microsoft.Extensions.Logging;
using static MeshNet.ControlPlane.Tests.Allocation.AllocationTestKit;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests.Kubernetes;

/// <summary>Kubernetes mode's admission: the API server's addresses are taken as they are; universal mode still checks them.</summary>
public sealed class ApiServerAddressesTests
{
    // k3s's default service range and a node port outside the universal default range (a cluster may configure any).
    private static MeshService K3sPosts() =>
        Service("blog", "posts", "app=posts", [Port(80, TargetPort.FromNumber(8080), "http") with { NodePort = 20080 }], ServiceType.LoadBalancer, clusterIPs: ["10.43.17.5"])
            with { LoadBalancerIngress = ["203.0.113.7"] };

    private readonly ListLogger _log = new();

    [Fact]
    public void Admits_ANonDefaultRangeNodePortAndIngress_AsTheApiServerReportsThem()
    {
        var admission = ServiceAdmission.TrustingApiServer(_log);
        var posts = K3sPosts();

        var changes = admission.Admit([Added(posts)], out var errors);

        Assert.Empty(errors);
        Assert.Same(posts, Current(changes, posts.Key));
        Assert.Null(admission.AllocationOf(posts.Key));
    }

    [Fact]
    public void CompilesTheApiServersClusterIp_IntoTheVirtualHost()
    {
        var admission = ServiceAdmission.TrustingApiServer(_log);
        var posts = Current(admission.Admit([Added(K3sPosts())], out _), K3sPosts().Key);

        var config = new MeshConfigCompiler().Compile(Index(posts), new ProxyIdentity("blog", "frontend-1", []));

        Assert.Contains("10.43.17.5:80", config.VirtualHosts.Single(h => h.Name == "posts.blog.svc.cluster.local:80").Domains);
    }

    [Fact]
    public void UniversalMode_StillRefusesTheSameService_OutsideItsServiceCidr()
    {
        var admission = new ServiceAdmission(Options());

        var changes = admission.Admit([Added(K3sPosts())], out var errors);

        Assert.Empty(changes);
        var error = Assert.Single(errors);
        Assert.Equal(("spec.clusterIP", "10.43.17.5 is not in the service CIDR 10.96.0.0/16; this version is not applied"), (error.Field, error.Message));
    }

    [Fact]
    public void LoadBalancerWithoutIngress_StaysWithout_AndIsNoError()
    {
        var admission = ServiceAdmission.TrustingApiServer(_log);
        var pending = K3sPosts() with { LoadBalancerIngress = [] };

        var admitted = Current(admission.Admit([Added(pending)], out var errors), pending.Key);

        Assert.Empty(errors);
        Assert.Empty(admitted.LoadBalancerIngress);
    }

    [Fact]
    public void TwoServicesWithOneClusterIp_AreBothAdmitted_AndTheOverlapIsLoggedOnce()
    {
        var admission = ServiceAdmission.TrustingApiServer(_log);
        var old = Service("blog", "posts-old", "app=posts", clusterIPs: ["10.43.0.10"]);
        var renamed = Service("blog", "posts", "app=posts", clusterIPs: ["10.43.0.10"]);

        var first = admission.Admit([Added(old), Added(renamed)], out var errors);
        var unrelated = Service("blog", "users", "app=users", clusterIPs: ["10.43.0.11"]);
        admission.Admit([Added(unrelated)], out _);

        Assert.Empty(errors);
        Assert.Equal(2, first.Length);
        Assert.Equal(["cluster IP 10.43.0.10 is held by Services blog/posts, blog/posts-old at once (a watch catching up with a delete and re-create?); both stay in the mesh"], _log.Messages);
    }

    [Fact]
    public void HeadlessAndExternalName_PassAsTheyAre_WithoutErrors()
    {
        var admission = ServiceAdmission.TrustingApiServer(_log);
        var headless = Service("blog", "posts-headless", "app=posts") with { Headless = true };
        var external = Service("blog", "db", null, [Port(5432)], ServiceType.ExternalName, externalName: "db.example.com");

        var changes = admission.Admit([Added(headless), Added(external)], out var errors);

        Assert.Empty(errors);
        Assert.Same(headless, Current(changes, headless.Key));
        Assert.Empty(Current(changes, headless.Key).ClusterIPs);
        Assert.Same(external, Current(changes, external.Key));
    }

    [Fact]
    public void AServiceWithoutAClusterIp_IsAdmitted_AndReported_UntilItHasOne()
    {
        var admission = ServiceAdmission.TrustingApiServer(_log);
        var bare = Service("blog", "posts", "app=posts");

        var changes = admission.Admit([Added(bare)], out var errors);

        Assert.Same(bare, Current(changes, bare.Key));
        var error = Assert.Single(errors);
        Assert.Equal((bare.Key, "spec.clusterIP"), (error.Resource, error.Field));
        Assert.StartsWith("the Kubernetes API reports no cluster IP for this Service; sidecars route to it by name only", error.Message, StringComparison.Ordinal);

        admission.Admit([Updated(bare, bare with { ClusterIPs = ["10.43.0.12"] })], out errors);
        Assert.Empty(errors);
    }

    [Fact]
    public void OtherKinds_PassThrough_WithoutTouchingErrors()
    {
        var admission = ServiceAdmission.TrustingApiServer(_log);
        var pod = Pod("blog", "posts-1", "app=posts", "10.42.0.5");

        var changes = admission.Admit([Added(pod)], out var errors);

        Assert.Same(pod, Assert.Single(changes).Current);
        Assert.True(errors.IsDefault);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}

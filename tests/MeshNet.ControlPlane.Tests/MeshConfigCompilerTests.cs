using Google.Protobuf;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Discovery;
using MeshNet.ControlPlane.Indexing;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests;

public sealed class MeshConfigCompilerTests
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithIndentation("  "));

    private static readonly ProxyIdentity Frontend = new(
        "blog", "frontend-1", [new WorkloadPort("http", 8080, "TCP"), new WorkloadPort("metrics", 9100, "TCP")]);

    /// <summary>The blogging platform in miniature: every resolution rule appears once.</summary>
    private static MeshIndex Blog() => Index(
        Service("blog", "posts", "app=posts", [Port(80, TargetPort.FromName("http"), "http", "http")], clusterIPs: ["10.96.0.12"]),
        Service("blog", "users", "app=users", [Port(80, TargetPort.FromNumber(8080), "http"), Port(9000, TargetPort.FromNumber(9000), "grpc", "grpc")]),
        Service("blog", "comments", "app=comments", [Port(80, TargetPort.FromNumber(8080), appProtocol: "kubernetes.io/h2c")], publishNotReady: true),
        Service("blog", "legacy", null, [Port(80, name: "web")]),
        Service("blog", "db", null, [Port(5432)], ServiceType.ExternalName, externalName: "db.example.com"),
        Service("ops", "metrics", "app=metrics", [Port(9090)]),
        Service("blog", "posts-headless", "app=posts", [Port(80, TargetPort.FromName("http"), "http", "http")]) with { Headless = true },
        Sidecar("blog", "posts-v1-1", "app=posts,version=v1", "127.0.1.11", true, 15006, new WorkloadPort("http", 8080, "TCP"))
            with { Hostname = "posts-0", Subdomain = "posts-headless" },
        Sidecar("blog", "posts-v2-1", "app=posts,version=v2", "127.0.1.12", false, 15006, new WorkloadPort("http", 8080, "TCP")),
        Pod("blog", "posts-nohttp", "app=posts", "127.0.1.13", true, new WorkloadPort("web", 8080, "TCP")),
        Pod("blog", "users-1", "app=users", "127.0.1.21"),
        Sidecar("blog", "comments-1", "app=comments", "127.0.1.31", false),
        Slice("blog", "legacy-1", "legacy", [new EndpointSetPort("web", 8081, "TCP", null)], Entry("10.1.0.1"), Entry("10.1.0.2", ready: false)),
        Pod("ops", "metrics-1", "app=metrics", "127.0.2.1"));

    private static string Render(ProxyConfig config) =>
        Json.Format(DeltaBuilder.Full(new VersionedConfig("1", config), "1"));

    [Fact]
    public void Compiles_BlogFrontend_AsTheGoldenFile()
    {
        Golden.Assert("blog-frontend.json", Render(new MeshConfigCompiler().Compile(Blog(), Frontend)));
    }

    [Fact]
    public void Compiles_ClientInAnotherNamespace_WithoutBareNames()
    {
        var proxy = new ProxyIdentity("ops", "prometheus-1", [new WorkloadPort("", 9090, "TCP")]);

        Golden.Assert("ops-prometheus.json", Render(new MeshConfigCompiler("mesh.example").Compile(Blog(), proxy)));
    }

    [Fact]
    public void Produces_IdenticalOutput_ForIdenticalInput()
    {
        var first = Render(new MeshConfigCompiler().Compile(Blog(), Frontend));
        var second = Render(new MeshConfigCompiler().Compile(Blog(), Frontend));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Names_VirtualHostsAndClusters_AfterTheServicePort()
    {
        var config = new MeshConfigCompiler().Compile(Blog(), Frontend);

        var host = config.VirtualHosts.Single(h => h.Name == "users.blog.svc.cluster.local:9000");
        Assert.Equal(["users:9000", "users.blog:9000", "users.blog.svc:9000", "users.blog.svc.cluster.local:9000"], host.Domains);
        Assert.Equal("outbound|9000||users.blog.svc.cluster.local", host.Routes.Single().Clusters.Single().Cluster);
        Assert.Equal("grpc", config.Clusters.Single(c => c.Name == "outbound|9000||users.blog.svc.cluster.local").AppProtocol);
        Assert.DoesNotContain(config.Clusters, c => c.Service == "blog/db");
        Assert.DoesNotContain(config.VirtualHosts, h => h.Service == "blog/db");
    }

    [Fact]
    public void Shares_Clusters_AndVirtualHosts_BetweenSidecars()
    {
        var compiler = new MeshConfigCompiler();
        var index = Blog();
        var a = compiler.Compile(index, Frontend);
        var b = compiler.Compile(index, Frontend with { Name = "frontend-2" });
        var c = compiler.Compile(index, new ProxyIdentity("ops", "x", []));

        Assert.Same(a.Clusters[0], b.Clusters[0]);
        Assert.Same(a.Clusters[0], c.Clusters[0]);
        Assert.Same(a.VirtualHosts[0], b.VirtualHosts[0]);
        Assert.NotEqual(a.VirtualHosts[0], c.VirtualHosts.Single(h => h.Name == a.VirtualHosts[0].Name));
    }

    [Fact]
    public void Recompiles_OnlyTheChangedService_WhenOneEndpointChanges()
    {
        var compiler = new MeshConfigCompiler();
        var before = Blog();
        var first = compiler.Compile(before, Frontend);
        var compilations = compiler.ServiceCompilations;

        var pod = Pod("blog", "users-2", "app=users", "127.0.1.22");
        ResourceChange[] changes = [new(pod.Key, null, pod)];
        var after = before.Update(before.Snapshot.Apply(changes), changes);
        var second = compiler.Compile(after, Frontend);

        Assert.Equal(compilations + 1, compiler.ServiceCompilations);
        Assert.Same(first.Clusters.Single(c => c.Service == "blog/posts"), second.Clusters.Single(c => c.Service == "blog/posts"));
        Assert.Equal(2, second.Clusters.First(c => c.Service == "blog/users").Endpoints.Count);
        Assert.Same(first.VirtualHosts[0], second.VirtualHosts[0]);
    }

    [Fact]
    public void Reuses_VirtualHostsOfUnchangedServices_WhenAnotherServiceChanges()
    {
        var compiler = new MeshConfigCompiler();
        var before = Blog();
        var first = compiler.Compile(before, Frontend);

        var added = Service("blog", "ratings", "app=ratings");
        ResourceChange[] changes = [new(added.Key, null, added)];
        var after = before.Update(before.Snapshot.Apply(changes), changes);
        var second = compiler.Compile(after, Frontend);

        Assert.Equal(first.VirtualHosts.Length + 1, second.VirtualHosts.Length);
        Assert.Same(first.VirtualHosts.Single(h => h.Service == "blog/posts"), second.VirtualHosts.Single(h => h.Service == "blog/posts"));
        Assert.Contains("ratings:80", second.VirtualHosts.Single(h => h.Service == "blog/ratings").Domains);
    }

    [Fact]
    public void Adds_ClusterIPs_AsDomains()
    {
        var config = new MeshConfigCompiler().Compile(Blog(), Frontend);

        Assert.Contains("10.96.0.12:80", config.VirtualHosts.Single(h => h.Service == "blog/posts").Domains);
    }

    [Theory]
    [InlineData("metrics=9100,http=8080", 0, 9100u)]
    [InlineData("metrics=9100,http=8080", 8080, 8080u)]
    [InlineData("metrics=9100", 7000, 7000u)]
    [InlineData("", 0, 0u)]
    public void Declares_InboundPorts_WithTheAppPortOrElseFirstPortAsDefault(string ports, int appPort, uint expectedDefault)
    {
        var declared = ports.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('='))
            .Select(p => new WorkloadPort(p[0], int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), "TCP"));

        var config = new MeshConfigCompiler().Compile(MeshIndex.Empty, Frontend with { Ports = [.. declared], AppPort = appPort });

        Assert.Equal(expectedDefault, config.Inbound.DefaultPort);
        Assert.Equal(declared.Select(p => (uint)p.Port).Order(), config.Inbound.Ports.Select(p => p.Port));
    }
}

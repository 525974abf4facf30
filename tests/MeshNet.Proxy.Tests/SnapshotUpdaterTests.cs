using MeshNet.Protocol.V1;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Tests.Infrastructure;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests;

public sealed class SnapshotUpdaterTests
{
    private static readonly ProxySnapshot Base = Apply(ProxySnapshot.Empty, Full("1",
        [VirtualHost("blog", "posts", 80, "blog"), VirtualHost("blog", "users", 80, "blog")],
        [Cluster("blog", "posts", 80, Plain(9001)), Cluster("blog", "users", 80, Plain(9002))]));

    [Fact]
    public void FullState_ReplacesEverything()
    {
        var next = Apply(Base, Full("2", [VirtualHost("blog", "comments", 80, "blog")], [Cluster("blog", "comments", 80)]));

        Assert.Equal("2", next.Version);
        Assert.Equal([$"{Fqdn("blog", "comments")}:80"], next.VirtualHosts.Keys.ToArray());
        Assert.Equal([ClusterName("blog", "comments", 80)], next.Clusters.Keys.ToArray());
    }

    [Fact]
    public void Delta_UpsertsAndRemovesByName_WithoutTouchingTheBase()
    {
        var next = Apply(Base, Delta("2",
            clusters: [Cluster("blog", "posts", 80, Plain(9001), Plain(9003))],
            removedVirtualHosts: [$"{Fqdn("blog", "users")}:80"],
            removedClusters: [ClusterName("blog", "users", 80)]));

        Assert.Equal([$"{Fqdn("blog", "posts")}:80"], next.VirtualHosts.Keys.ToArray());
        Assert.Equal(2, next.Clusters[ClusterName("blog", "posts", 80)].Endpoints.Count);
        Assert.Equal(2, Base.VirtualHosts.Count);
        Assert.Single(Base.Clusters[ClusterName("blog", "posts", 80)].Endpoints);
    }

    [Fact]
    public void Delta_KeepsInbound_WhenAbsent()
    {
        Assert.Null(Apply(Base, Delta("2")).Inbound);
        var inbound = Delta("3");
        inbound.Inbound = new Inbound { DefaultPort = 8080 };
        var next = Apply(Apply(Base, inbound), Delta("4"));

        Assert.Equal(8080u, next.Inbound!.DefaultPort);
    }

    public static TheoryData<DiscoveryResponse, string> Rejections()
    {
        var unknownCluster = VirtualHost("blog", "posts", 80, "blog");
        unknownCluster.Routes[0].Clusters[0].Cluster = "outbound|80||nope";
        var stolenDomain = VirtualHost("blog", "comments", 80, "blog", "posts.blog:80");
        var noDomains = VirtualHost("blog", "comments", 80, "blog");
        noDomains.Domains.Clear();
        var badDomain = VirtualHost("blog", "comments", 80, "blog", "comments:0");
        var noRoutes = VirtualHost("blog", "comments", 80, "blog");
        noRoutes.Routes.Clear();
        var badPort = Cluster("blog", "posts", 80, Plain(9001));
        badPort.Endpoints[0].Port = 70000;
        var badAddress = Cluster("blog", "posts", 80, Plain(9001, "not an address"));
        var meshedNoTarget = Cluster("blog", "posts", 80, Meshed(15006, 8080));
        meshedNoTarget.Endpoints[0].TargetPort = 0;
        var zeroServicePort = Cluster("blog", "posts", 80);
        zeroServicePort.Port = 0;
        var duplicated = Delta("2", clusters: [Cluster("blog", "posts", 80), Cluster("blog", "posts", 80)]);
        var outOfRangeInbound = Delta("2");
        outOfRangeInbound.Inbound = new Inbound { DefaultPort = 65536 };

        return new TheoryData<DiscoveryResponse, string>
        {
            { Delta("2", virtualHosts: [unknownCluster]), "route \"default\" of virtual host \"posts.blog.svc.cluster.local:80\" references unknown cluster \"outbound|80||nope\"" },
            { Delta("2", virtualHosts: [stolenDomain], clusters: [Cluster("blog", "comments", 80)]), "domain \"posts.blog:80\" is claimed by virtual hosts \"posts.blog.svc.cluster.local:80\" and \"comments.blog.svc.cluster.local:80\"" },
            { Delta("2", virtualHosts: [noDomains], clusters: [Cluster("blog", "comments", 80)]), "virtual host \"comments.blog.svc.cluster.local:80\": no domains" },
            { Delta("2", virtualHosts: [badDomain], clusters: [Cluster("blog", "comments", 80)]), "virtual host \"comments.blog.svc.cluster.local:80\": domain \"comments:0\" is not host:port with a port in 1-65535" },
            { Delta("2", virtualHosts: [noRoutes], clusters: [Cluster("blog", "comments", 80)]), "virtual host \"comments.blog.svc.cluster.local:80\": no routes" },
            { Delta("2", clusters: [badPort]), "cluster \"outbound|80||posts.blog.svc.cluster.local\": endpoint 0 port 70000 is out of range 1-65535" },
            { Delta("2", clusters: [badAddress]), "cluster \"outbound|80||posts.blog.svc.cluster.local\": endpoint 0 address \"not an address\" is not an IP address or host name" },
            { Delta("2", clusters: [meshedNoTarget]), "cluster \"outbound|80||posts.blog.svc.cluster.local\": endpoint 0 target_port 0 is out of range 1-65535" },
            { Delta("2", clusters: [zeroServicePort]), "cluster \"outbound|80||posts.blog.svc.cluster.local\": port 0 is out of range 1-65535" },
            { Delta("2", clusters: [Cluster("blog", "posts", 80, Plain(9001), Plain(9001))]), "cluster \"outbound|80||posts.blog.svc.cluster.local\": endpoint 127.0.0.1:9001 appears twice" },
            { duplicated, "cluster \"outbound|80||posts.blog.svc.cluster.local\" appears twice in one response" },
            { Delta("2", clusters: [Cluster("blog", "posts", 80)], removedClusters: [ClusterName("blog", "posts", 80)]), "cluster \"outbound|80||posts.blog.svc.cluster.local\" is both updated and removed in one response" },
            { Delta("2", removedClusters: [ClusterName("blog", "users", 80)]), "route \"default\" of virtual host \"users.blog.svc.cluster.local:80\" references unknown cluster \"outbound|80||users.blog.svc.cluster.local\"" },
            { Delta(""), "response has an empty version_info" },
            { outOfRangeInbound, "inbound: default_port 65536 is out of range 0-65535" },
        };
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Rejects_InvalidConfig_WithExactMessage(DiscoveryResponse response, string expected)
    {
        var next = SnapshotUpdater.TryApply(Base, response, out var error);

        Assert.Null(next);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("127.0.0.1", 15001, false, 0u, true)]
    [InlineData("127.0.0.2", 15001, false, 0u, false)]
    [InlineData("127.0.0.1", 15002, false, 0u, false)]
    [InlineData("127.0.0.1", 15006, true, 15001u, true)]
    [InlineData("127.0.0.1", 15006, true, 15000u, true)]
    [InlineData("127.0.0.1", 15006, true, 8080u, false)]
    public void Rejects_AnEndpointThatLeadsBackIntoThisSidecar(string address, int port, bool meshed, uint targetPort, bool loops)
    {
        var endpoint = Plain(port);
        endpoint.Address = address;
        endpoint.Meshed = meshed;
        endpoint.TargetPort = meshed ? targetPort : (uint)port;
        var response = Delta("2", clusters: [Cluster("blog", "posts", 80, endpoint)]);
        var own = new OwnListeners(
            new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 15006),
            new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 15001),
            new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 15000));

        var next = SnapshotUpdater.TryApply(Base, response, out var error, own);

        if (loops)
        {
            Assert.Null(next);
            Assert.Equal($"cluster \"{ClusterName("blog", "posts", 80)}\": endpoint {address}:{port} (target port {endpoint.TargetPort}) leads back into this sidecar; forwarding to it would loop", error);
        }
        else
        {
            Assert.True(next is not null, error);
        }
    }

    private static ProxySnapshot Apply(ProxySnapshot current, DiscoveryResponse response)
    {
        var next = SnapshotUpdater.TryApply(current, response, out var error);
        Assert.True(next is not null, error);
        return next;
    }
}

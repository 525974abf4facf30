using System.Collections.Immutable;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Discovery;
using MeshNet.Model;
using MeshNet.Protocol.V1;
using WorkloadPort = MeshNet.Model.WorkloadPort;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests;

public sealed class DnsCompilerTests
{
    private static readonly ProxyIdentity Client = new("blog", "client-1", []);

    private static Workload StatefulPod(string name, string address, string subdomain, bool ready = true) =>
        Pod("blog", name, "app=db", address, ready, new WorkloadPort("pg", 5432, "TCP")) with { Hostname = name, Subdomain = subdomain };

    private static MeshService Headless(string name, bool publishNotReady = false) =>
        Service("blog", name, "app=db", [Port(5432, TargetPort.FromName("pg"), "pg")], publishNotReady: publishNotReady) with { Headless = true };

    private static Protocol.V1.DnsService Compiled(MeshResource[] resources, string key) =>
        new MeshConfigCompiler().Compile(Index(resources), Client).DnsServices.Single(s => s.Key == key);

    [Fact]
    public void Gives_PodsTheirHostname_OnlyWhenTheirSubdomainIsTheService()
    {
        var dns = Compiled([Headless("db"), StatefulPod("db-0", "10.244.0.5", "db"), StatefulPod("other-0", "10.244.0.6", "elsewhere")], "blog/db");

        Assert.True(dns.Headless);
        Assert.Empty(dns.ClusterIps);
        Assert.Equal(
            [("10.244.0.5", "db-0", true), ("10.244.0.6", "", true)],
            dns.Endpoints.Select(e => (e.Addresses.Single(), e.Hostname, e.Ready)));
    }

    [Fact]
    public void Takes_HostnamesFromEndpointSlices()
    {
        var service = Service("blog", "legacy", null, [Port(80, name: "web")]) with { Headless = true };
        var slice = Slice("blog", "legacy-1", "legacy", [new EndpointSetPort("web", 8081, "TCP", null)],
            new EndpointSetEntry(["10.1.0.1"], true, "primary", null));

        var endpoint = Compiled([service, slice], "blog/legacy").Endpoints.Single();

        Assert.Equal(("primary", 8081u), (endpoint.Hostname, endpoint.Ports["web"]));
    }

    [Fact]
    public void Keeps_NotReadyEndpoints_WithTheirReadiness_AndThePublishFlag()
    {
        var dns = Compiled([Headless("db", publishNotReady: true), StatefulPod("db-0", "10.244.0.5", "db", ready: false)], "blog/db");

        Assert.True(dns.PublishNotReadyAddresses);
        Assert.False(dns.Endpoints.Single().Ready);
    }

    [Fact]
    public void Compiles_ExternalNameAsACname_AndClusterIPServicesWithTheirAddresses()
    {
        var config = new MeshConfigCompiler().Compile(Index(
            Service("blog", "db", null, [Port(5432)], ServiceType.ExternalName, externalName: "db.example.com"),
            Service("blog", "posts", "app=posts", [Port(80, name: "http")], clusterIPs: ["10.96.0.12"])), Client);

        var external = config.DnsServices.Single(s => s.Key == "blog/db");
        Assert.Equal(("db.example.com", 0), (external.ExternalName, external.ClusterIps.Count));
        var posts = config.DnsServices.Single(s => s.Key == "blog/posts");
        Assert.Equal(["10.96.0.12"], posts.ClusterIps);
        Assert.Equal(("http", 80u, "TCP"), (posts.Ports.Single().Name, posts.Ports.Single().Port, posts.Ports.Single().Protocol));
        Assert.Empty(posts.Endpoints);
        Assert.Equal("cluster.local", config.DnsZone.Zone);
        Assert.Equal(["blog"], config.DnsZone.Namespaces);
    }

    [Fact]
    public void Keeps_TheDnsInstance_WhenAClusterIPServiceOnlyChangedEndpoints()
    {
        var compiler = new MeshConfigCompiler();
        var service = Service("blog", "posts", "app=posts", clusterIPs: ["10.96.0.12"]);
        var before = Index(service);
        var pod = Pod("blog", "posts-1", "app=posts", "10.244.0.9");
        var after = before.Update(before.Snapshot.Apply([new(pod.Key, null, pod)]), [new(pod.Key, null, pod)]);

        var first = compiler.Compile(before, Client);
        var second = compiler.Compile(after, Client);

        Assert.True(first.DnsServices == second.DnsServices);
        Assert.False(first.Clusters == second.Clusters);
    }

    [Fact]
    public void Streams_DnsServices_AsUpsertsAndRemovals()
    {
        Protocol.V1.DnsService Dns(string key, string ip) => new() { Key = key, ClusterIps = { ip } };
        var acked = ProxyConfig.Empty with
        {
            DnsServices = [Dns("blog/a", "10.96.0.1"), Dns("blog/b", "10.96.0.2")],
            DnsZone = new DnsZone { Zone = "cluster.local", Namespaces = { "blog" } },
        };
        var next = acked with { DnsServices = [Dns("blog/a", "10.96.0.9"), Dns("blog/c", "10.96.0.3")] };

        var delta = DeltaBuilder.Delta(acked, new VersionedConfig("2", next), "1");

        Assert.Equal(["blog/a", "blog/c"], delta.DnsServices.Select(s => s.Key));
        Assert.Equal(["blog/b"], delta.RemovedDnsServices);
        Assert.Null(delta.DnsZone);

        var zoneChanged = next with { DnsZone = new DnsZone { Zone = "cluster.local", Namespaces = { "blog", "shop" } } };
        Assert.Equal(["blog", "shop"], DeltaBuilder.Delta(next, new VersionedConfig("3", zoneChanged), "2").DnsZone.Namespaces);
        Assert.Equal(2, DeltaBuilder.Full(new VersionedConfig("3", next), "2").DnsServices.Count);
    }

    [Fact]
    public void Gives_ASidecarThePodSpecsHostname_WhenItShadowsThatPod()
    {
        // The manifest Pod (no address yet) names the hostname; its sidecar is the live process at the pod IP.
        var spec = StatefulPod("db-0", string.Empty, "db");
        var sidecar = Sidecar("blog", "db-0", "app=db", "10.244.0.5", true, 15006, new WorkloadPort("pg", 5432, "TCP"));

        var endpoint = Compiled([Headless("db"), spec, sidecar], "blog/db").Endpoints.Single();

        Assert.Equal(("10.244.0.5", "db-0"), (endpoint.Addresses.Single(), endpoint.Hostname));
    }

    [Fact]
    public void Routes_AHeadlessPodAddress_ToThatPodOnly()
    {
        var sidecar = Sidecar("blog", "db-1", "app=db", "10.244.0.6", true, 15006, new WorkloadPort("pg", 5432, "TCP")) with { Hostname = "db-1", Subdomain = "db" };
        var config = new MeshConfigCompiler().Compile(Index(Headless("db"), StatefulPod("db-0", "10.244.0.5", "db"), sidecar), Client);

        var host = config.VirtualHosts.Single(h => h.Domains.Contains("10.244.0.6:5432"));
        Assert.Equal("db-1.db.blog.svc.cluster.local:5432", host.Name);
        Assert.Contains("db-1.db:5432", host.Domains);
        Assert.Contains("db-1.db.blog.svc.cluster.local:5432", host.Domains);
        var cluster = config.Clusters.Single(c => c.Name == host.Routes.Single().Clusters.Single().Cluster);
        Assert.Equal("outbound|5432|10.244.0.6|db.blog.svc.cluster.local", cluster.Name);
        var endpoint = cluster.Endpoints.Single();
        Assert.Equal(("10.244.0.6", 15006u, 5432u, true), (endpoint.Address, endpoint.Port, endpoint.TargetPort, endpoint.Meshed));
        Assert.Contains(config.VirtualHosts, h => h.Domains.Contains("10.244.0.5:5432"));
    }

    [Fact]
    public void Gives_APodAddress_ToOneHeadlessService_WhenTwoSelectIt()
    {
        var config = new MeshConfigCompiler().Compile(
            Index(Headless("db"), Headless("db-replicas"), StatefulPod("db-0", "10.244.0.5", "db")), Client);

        var owners = config.VirtualHosts.Where(h => h.Domains.Contains("10.244.0.5:5432")).ToList();
        Assert.Single(owners);
        Assert.Equal(config.VirtualHosts.SelectMany(h => h.Domains).Count(), config.VirtualHosts.SelectMany(h => h.Domains).Distinct().Count());
    }

    [Fact]
    public void Updates_HeadlessRoutes_WhenOnlyEndpointsChange()
    {
        var compiler = new MeshConfigCompiler();
        var before = Index(Headless("db"), StatefulPod("db-0", "10.244.0.5", "db"));
        var pod = StatefulPod("db-1", "10.244.0.6", "db");
        var after = before.Update(before.Snapshot.Apply([new(pod.Key, null, pod)]), [new(pod.Key, null, pod)]);

        compiler.Compile(before, Client);
        var config = compiler.Compile(after, Client);

        Assert.Contains(config.VirtualHosts, h => h.Domains.Contains("10.244.0.6:5432"));
    }
}

using System.Net;
using MeshNet.ControlPlane.Allocation;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests.Allocation;

/// <summary>Cluster IP and node port allocation through <see cref="ServiceAdmission"/>, the way the update loop uses it.</summary>
public sealed class ServiceAllocationTests : IDisposable
{
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "mnt-alloc-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    private static ResourceChange Added(MeshResource r) => new(r.Key, null, r);

    private static AllocationOptions Options(string cidrs = "10.96.0.0/16", string? stateDir = null, string nodePorts = "30000-32767")
    {
        var (min, max) = AllocationOptions.ParsePortRange("--node-port-range", nodePorts);
        return new AllocationOptions(AllocationOptions.ParseCidrs("--service-cidr", cidrs), min, max, stateDir);
    }

    private static MeshService Admitted(ServiceAdmission admission, MeshService service) =>
        (MeshService)admission.Admit([Added(service)], out _).Single(c => c.Key == service.Key).Current!;

    [Fact]
    public void Allocates_AnAddressInsideTheServiceCidr()
    {
        var admission = new ServiceAdmission(Options("10.100.0.0/24"));

        var posts = Admitted(admission, Service("blog", "posts", "app=posts"));

        var ip = IPAddress.Parse(Assert.Single(posts.ClusterIPs));
        Assert.StartsWith("10.100.0.", ip.ToString(), StringComparison.Ordinal);
        Assert.NotEqual("10.100.0.0", ip.ToString());
        Assert.NotEqual("10.100.0.255", ip.ToString());
    }

    [Fact]
    public void Allocates_TheSameAddress_ForTheSameService_OnAnyRun()
    {
        var first = Admitted(new ServiceAdmission(Options()), Service("blog", "posts", "app=posts"));
        var second = Admitted(new ServiceAdmission(Options()), Service("blog", "posts", "app=posts"));

        Assert.Equal<string>(first.ClusterIPs, second.ClusterIPs);
    }

    [Fact]
    public void Allocates_DistinctAddresses_ToManyServices()
    {
        var admission = new ServiceAdmission(Options("10.96.0.0/24"));
        var services = Enumerable.Range(0, 200).Select(i => Service("blog", $"svc-{i}", "app=x")).ToArray();

        var changes = admission.Admit([.. services.Select(Added)], out var errors);

        Assert.Empty(errors);
        var ips = changes.Select(c => ((MeshService)c.Current!).ClusterIPs.Single()).ToList();
        Assert.Equal(200, ips.Distinct().Count());
    }

    [Fact]
    public void Honours_ARequestedAddress_AndKeepsDynamicAllocationOffIt()
    {
        var admission = new ServiceAdmission(Options("10.96.0.0/30"));
        // A /30 has two usable addresses: whichever the hash picks for "blog/a", it must leave the requested one.
        var a = Service("blog", "a", "app=a");
        var b = Service("blog", "b", "app=b", clusterIPs: ["10.96.0.1"]);

        var changes = admission.Admit([Added(a), Added(b)], out var errors);

        Assert.Empty(errors);
        Assert.Equal<string>(["10.96.0.2"], ((MeshService)changes.Single(c => c.Key == a.Key).Current!).ClusterIPs);
        Assert.Same(b, changes.Single(c => c.Key == b.Key).Current);
    }

    [Theory]
    [InlineData("10.97.0.1", "spec.clusterIP", "10.97.0.1 is not in the service CIDR 10.96.0.0/16; this version is not applied")]
    [InlineData("fd00::1", "spec.clusterIP",
        "fd00::1 is an IPv6 address but the service CIDRs (10.96.0.0/16) have no range of that family; this version is not applied")]
    public void Refuses_ARequestedAddressOutsideTheRange(string ip, string field, string message)
    {
        var admission = new ServiceAdmission(Options());
        var posts = Service("blog", "posts", "app=posts", clusterIPs: [ip]);

        var changes = admission.Admit([Added(posts)], out var errors);

        Assert.Empty(changes);
        var error = Assert.Single(errors);
        Assert.Equal((posts.Key, field, message), (error.Resource, error.Field, error.Message));
    }

    [Fact]
    public void Honours_RequestedDualStackAddresses()
    {
        var admission = new ServiceAdmission(Options("10.96.0.0/16,fd00:10:96::/112"));
        var posts = Service("blog", "posts", "app=posts", clusterIPs: ["10.96.0.10", "fd00:10:96::a"]);

        var changes = admission.Admit([Added(posts)], out var errors);

        Assert.Empty(errors);
        Assert.Equal<string>(["10.96.0.10", "fd00:10:96::a"], ((MeshService)changes.Single().Current!).ClusterIPs);
    }

    [Fact]
    public void Allocates_IPv6_WhenTheOnlyRangeIsIPv6()
    {
        var posts = Admitted(new ServiceAdmission(Options("fd00:10:96::/112")), Service("blog", "posts", "app=posts"));

        Assert.StartsWith("fd00:10:96::", Assert.Single(posts.ClusterIPs), StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_AClaimOnAnAllocatedAddress_NamingTheHolder()
    {
        var admission = new ServiceAdmission(Options());
        var holder = Admitted(admission, Service("blog", "posts", "app=posts"));
        var ip = holder.ClusterIPs.Single();

        var claimant = Service("blog", "clash", "app=posts", clusterIPs: [ip]);
        var changes = admission.Admit([Added(claimant)], out var errors);

        Assert.Empty(changes);
        var error = Assert.Single(errors);
        Assert.Equal(claimant.Key, error.Resource);
        Assert.Equal($"{ip} requested by Service blog/clash is already allocated to Service blog/posts; this version is not applied", error.Message);
    }

    [Fact]
    public void KeepsItsAddress_WhenAnotherServiceLaterRequestsIt()
    {
        var admission = new ServiceAdmission(Options());
        var posts = Admitted(admission, Service("blog", "posts", "app=posts"));
        var update = Service("blog", "posts", "app=posts-v2");
        var claimant = Service("blog", "clash", "app=x", clusterIPs: [posts.ClusterIPs.Single()]);

        var changes = admission.Admit([new ResourceChange(update.Key, posts, update), Added(claimant)], out var errors);

        var admitted = (MeshService)Assert.Single(changes).Current!;
        Assert.Equal<string>(posts.ClusterIPs, admitted.ClusterIPs);
        Assert.Equal("app=posts-v2", string.Join(",", admitted.Selector!.Select(p => $"{p.Key}={p.Value}")));
        Assert.Equal(claimant.Key, Assert.Single(errors).Resource);
    }

    [Fact]
    public void ReportsExhaustion_OnTheServiceThatFoundNoAddress()
    {
        var admission = new ServiceAdmission(Options("10.96.0.0/30"));
        admission.Admit([Added(Service("blog", "a", "app=a")), Added(Service("blog", "b", "app=b"))], out var first);
        Assert.Empty(first);

        var c = Service("blog", "c", "app=c");
        var changes = admission.Admit([Added(c)], out var errors);

        Assert.Empty(changes);
        var error = Assert.Single(errors);
        Assert.Equal((c.Key, "no free cluster IP left in 10.96.0.0/30; this version is not applied"), (error.Resource, error.Message));
    }

    [Fact]
    public void DoesNotAllocate_ForHeadlessOrExternalNameServices()
    {
        var admission = new ServiceAdmission(Options());
        var headless = Service("blog", "db", "app=db") with { Headless = true };
        var external = Service("blog", "ext", null, type: ServiceType.ExternalName, externalName: "db.example.com");

        var changes = admission.Admit([Added(headless), Added(external)], out var errors);

        Assert.Empty(errors);
        Assert.All(changes, c => Assert.Empty(((MeshService)c.Current!).ClusterIPs));
        Assert.Same(headless, changes.Single(c => c.Key == headless.Key).Current);
    }

    [Fact]
    public void KeepsAllocations_AcrossARestart_ThroughTheStateDirectory()
    {
        var before = new ServiceAdmission(Options(stateDir: _stateDir));
        var services = Enumerable.Range(0, 20).Select(i => Service("blog", $"svc-{i}", "app=x", type: ServiceType.NodePort)).ToArray();
        var first = before.Admit([.. services.Select(Added)], out _).ToDictionary(c => c.Key, c => (MeshService)c.Current!);
        Assert.True(File.Exists(Path.Combine(_stateDir, AllocationStateStore.FileName)));

        // After the restart the Services arrive in another order, and a newcomer whose hash could collide comes first.
        var after = new ServiceAdmission(Options(stateDir: _stateDir));
        var newcomer = Service("blog", "newcomer", "app=y");
        var second = after.Admit([Added(newcomer), .. services.Reverse().Select(Added)], out var errors)
            .ToDictionary(c => c.Key, c => (MeshService)c.Current!);

        Assert.Empty(errors);
        foreach (var service in services)
        {
            Assert.Equal<string>(first[service.Key].ClusterIPs, second[service.Key].ClusterIPs);
            Assert.Equal(first[service.Key].Ports.Single().NodePort, second[service.Key].Ports.Single().NodePort);
        }
    }

    [Fact]
    public void RestoresTheSavedAddress_RatherThanTheHashedOne()
    {
        var hashed = Admitted(new ServiceAdmission(Options("10.96.0.0/30")), Service("blog", "a", "app=a")).ClusterIPs.Single();
        var before = new ServiceAdmission(Options("10.96.0.0/30", _stateDir));
        var changes = before.Admit([Added(Service("blog", "holder", "app=h", clusterIPs: [hashed])), Added(Service("blog", "a", "app=a"))], out _);
        var moved = ((MeshService)changes.Single(c => c.Key.Name == "a").Current!).ClusterIPs.Single();
        Assert.NotEqual(hashed, moved);

        var after = new ServiceAdmission(Options("10.96.0.0/30", _stateDir));

        Assert.Equal(moved, Admitted(after, Service("blog", "a", "app=a")).ClusterIPs.Single());
    }

    [Theory]
    [InlineData("a-saved", "z-requester")]
    [InlineData("z-saved", "a-requester")]
    public void GivesAnExplicitRequest_PrecedenceOverASavedAllocation_WhateverTheNames(string savedName, string requesterName)
    {
        var before = new ServiceAdmission(Options(stateDir: _stateDir));
        var saved = Admitted(before, Service("blog", savedName, "app=a")).ClusterIPs.Single();

        var after = new ServiceAdmission(Options(stateDir: _stateDir));
        var requester = Service("blog", requesterName, "app=r", clusterIPs: [saved]);
        var changes = after.Admit([Added(Service("blog", savedName, "app=a")), Added(requester)], out var errors);

        Assert.Empty(errors);
        Assert.Same(requester, changes.Single(c => c.Key == requester.Key).Current);
        Assert.NotEqual(saved, ((MeshService)changes.Single(c => c.Key.Name == savedName).Current!).ClusterIPs.Single());
    }

    [Fact]
    public void KeepsASavedAddress_ForAServiceThatArrivesInALaterBatch()
    {
        var before = new ServiceAdmission(Options("10.96.0.0/30", _stateDir));
        var a = Admitted(before, Service("blog", "a", "app=a"));

        var after = new ServiceAdmission(Options("10.96.0.0/30", _stateDir));
        var b = Admitted(after, Service("blog", "b", "app=b"));
        var aAgain = Admitted(after, Service("blog", "a", "app=a"));

        Assert.Equal<string>(a.ClusterIPs, aAgain.ClusterIPs);
        Assert.NotEqual<string>(a.ClusterIPs, b.ClusterIPs);
    }

    [Fact]
    public void Allocates_NodePorts_InTheRange_ForNodePortAndLoadBalancerServices()
    {
        var admission = new ServiceAdmission(Options(nodePorts: "31000-31009"));
        var web = Service("blog", "web", "app=web", [Port(80, name: "http"), Port(443, name: "https")], ServiceType.LoadBalancer);

        var ports = Admitted(admission, web).Ports;

        Assert.All(ports, p => Assert.InRange(p.NodePort!.Value, 31000, 31009));
        Assert.NotEqual(ports[0].NodePort, ports[1].NodePort);
        Assert.Null(Admitted(admission, Service("blog", "plain", "app=p")).Ports.Single().NodePort);
    }

    [Fact]
    public void ReportsNodePortExhaustion_AndFreesPortsWhenTheTypeChanges()
    {
        var admission = new ServiceAdmission(Options(nodePorts: "31000-31000"));
        var web = Admitted(admission, Service("blog", "web", "app=web", [Port(80)], ServiceType.NodePort));
        Assert.Equal(31000, web.Ports.Single().NodePort);

        var api = Service("blog", "api", "app=api", [Port(80)], ServiceType.NodePort);
        admission.Admit([Added(api)], out var errors);
        Assert.Equal("no free node port left in 31000-31000; this version is not applied", Assert.Single(errors).Message);

        var webAsClusterIP = Service("blog", "web", "app=web", [Port(80)]);
        var changes = admission.Admit([new ResourceChange(webAsClusterIP.Key, web, webAsClusterIP)], out errors);

        Assert.Empty(errors);
        Assert.Null(((MeshService)changes.Single(c => c.Key == webAsClusterIP.Key).Current!).Ports.Single().NodePort);
        Assert.Equal(31000, ((MeshService)changes.Single(c => c.Key == api.Key).Current!).Ports.Single().NodePort);
    }

    [Fact]
    public void Honours_ARequestedNodePort()
    {
        var admission = new ServiceAdmission(Options());
        var web = Service("blog", "web", "app=web", [Port(80) with { NodePort = 30080 }], ServiceType.NodePort);

        Assert.Equal(30080, Admitted(admission, web).Ports.Single().NodePort);
    }

    [Fact]
    public void Refuses_ANodePortCollision_NamingBothServices()
    {
        var admission = new ServiceAdmission(Options());
        admission.Admit([Added(Service("blog", "web", "app=web", [Port(80) with { NodePort = 30080 }], ServiceType.NodePort))], out _);

        var other = Service("shop", "front", "app=front", [Port(8080) with { NodePort = 30080 }], ServiceType.NodePort);
        var changes = admission.Admit([Added(other)], out var errors);

        Assert.Empty(changes);
        var error = Assert.Single(errors);
        Assert.Equal(
            (other.Key, "spec.ports[0].nodePort", "node port 30080 of Service shop/front is already allocated to Service blog/web; this version is not applied"),
            (error.Resource, error.Field, error.Message));
    }

    [Fact]
    public void Refuses_ARequestedNodePortOutsideTheRange()
    {
        var admission = new ServiceAdmission(Options());
        var web = Service("blog", "web", "app=web", [Port(80) with { NodePort = 8080 }], ServiceType.NodePort);

        admission.Admit([Added(web)], out var errors);

        Assert.Equal("8080 is not in the node port range 30000-32767; this version is not applied", Assert.Single(errors).Message);
    }

    [Fact]
    public void Keeps_TheAdmittedInstance_WhileNothingChanges()
    {
        var admission = new ServiceAdmission(Options());
        var posts = Service("blog", "posts", "app=posts");
        Admitted(admission, posts);

        var changes = admission.Admit([Added(Service("blog", "users", "app=users"))], out _);

        Assert.Equal(["users"], changes.Select(c => c.Key.Name));
    }

    [Theory]
    [InlineData("10.96.0.0/33")]
    [InlineData("10.96.0.0/31")]
    [InlineData("10.96.0.0")]
    [InlineData("10.96.0.0/16,10.97.0.0/16")]
    [InlineData("banana/16")]
    public void Rejects_MalformedServiceCidrs(string value)
    {
        Assert.Throws<FormatException>(() => AllocationOptions.ParseCidrs("--service-cidr", value));
    }
}

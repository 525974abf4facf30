using MeshNet.ControlPlane.Allocation;
using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using static MeshNet.ControlPlane.Tests.Allocation.AllocationTestKit;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests.Allocation;

/// <summary>Ingress addresses for LoadBalancer Services from --load-balancer-cidr.</summary>
public sealed class LoadBalancerAllocationTests : IDisposable
{
    private const string ExhaustedMessage =
        "no free load balancer address left in 127.0.100.0/30; the Service has no external address until one is freed";

    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "mnt-lb-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    private static MeshService Lb(string name) => Service("blog", name, $"app={name}", [Port(80)], ServiceType.LoadBalancer);

    /// <summary>A /30 pool: exactly 127.0.100.1 and 127.0.100.2.</summary>
    private static AllocationOptions SmallPool(string? stateDir = null) => Options(stateDir: stateDir, loadBalancer: "127.0.100.0/30");

    [Fact]
    public void Allocates_TheLowestFreeAddresses_ToLoadBalancerServicesOnly()
    {
        var admission = new ServiceAdmission(Options());
        var (frontend, api) = (Lb("frontend"), Lb("api"));
        var nodePort = Service("blog", "web", "app=web", [Port(80)], ServiceType.NodePort);
        var plain = Service("blog", "posts", "app=posts");

        var changes = admission.Admit([Added(frontend), Added(api), Added(nodePort), Added(plain)], out var errors);

        Assert.Empty(errors);
        // Decided in key order: blog/api before blog/frontend.
        Assert.Equal<string>(["127.0.100.1"], Current(changes, api.Key).LoadBalancerIngress);
        Assert.Equal<string>(["127.0.100.2"], Current(changes, frontend.Key).LoadBalancerIngress);
        Assert.True(Current(changes, nodePort.Key).LoadBalancerIngress.IsDefaultOrEmpty);
        Assert.True(Current(changes, plain.Key).LoadBalancerIngress.IsDefaultOrEmpty);
        Assert.NotNull(Current(changes, frontend.Key).Ports.Single().NodePort);
    }

    [Fact]
    public void Keeps_IngressTheSourceAlreadyReports()
    {
        var admission = new ServiceAdmission(Options());
        var fromApiServer = Lb("frontend") with { LoadBalancerIngress = ["203.0.113.7"] };

        Assert.Equal<string>(["203.0.113.7"], Admitted(admission, fromApiServer).LoadBalancerIngress);
        Assert.Equal<string>(["127.0.100.1"], Admitted(admission, Lb("api")).LoadBalancerIngress);
    }

    [Fact]
    public void ReportsExhaustion_OnTheService_AndStillAdmitsIt()
    {
        var admission = new ServiceAdmission(SmallPool());
        admission.Admit([Added(Lb("a")), Added(Lb("b"))], out var first);
        Assert.Empty(first);

        var c = Lb("c");
        var plain = Service("blog", "posts", "app=posts");
        var changes = admission.Admit([Added(c), Added(plain)], out var errors);

        var error = Assert.Single(errors);
        Assert.Equal((c.Key, "status.loadBalancer.ingress", ExhaustedMessage), (error.Resource, error.Field, error.Message));
        var admitted = Current(changes, c.Key);
        Assert.True(admitted.LoadBalancerIngress.IsDefaultOrEmpty);
        Assert.Single(admitted.ClusterIPs);
        Assert.Single(Current(changes, plain.Key).ClusterIPs);
    }

    [Fact]
    public void GivesAFreedAddress_ToTheWaitingService_WhenTheHolderIsDeleted()
    {
        var admission = new ServiceAdmission(SmallPool());
        var changes = admission.Admit([Added(Lb("a")), Added(Lb("b")), Added(Lb("c"))], out var errors);
        var a = Current(changes, Lb("a").Key);
        Assert.Equal(Lb("c").Key, Assert.Single(errors).Resource);

        // Another batch that does not free anything keeps the error standing and changes nothing for c.
        changes = admission.Admit([Added(Service("blog", "posts", "app=posts"))], out errors);
        Assert.Equal(ExhaustedMessage, Assert.Single(errors).Message);
        Assert.DoesNotContain(changes, ch => ch.Key == Lb("c").Key);

        changes = admission.Admit([Deleted(a)], out errors);

        Assert.Empty(errors);
        Assert.Equal<string>(["127.0.100.1"], Current(changes, Lb("c").Key).LoadBalancerIngress);
    }

    [Fact]
    public void ReleasesTheAddress_WhenTheServiceStopsBeingALoadBalancer()
    {
        var admission = new ServiceAdmission(SmallPool());
        var changes = admission.Admit([Added(Lb("a")), Added(Lb("b")), Added(Lb("c"))], out _);
        var a = Current(changes, Lb("a").Key);

        var aAsNodePort = Lb("a") with { Type = ServiceType.NodePort };
        changes = admission.Admit([Updated(a, aAsNodePort)], out var errors);

        Assert.Empty(errors);
        Assert.True(Current(changes, a.Key).LoadBalancerIngress.IsDefaultOrEmpty);
        Assert.Equal(a.Ports.Single().NodePort, Current(changes, a.Key).Ports.Single().NodePort);
        Assert.Equal<string>(["127.0.100.1"], Current(changes, Lb("c").Key).LoadBalancerIngress);
    }

    [Fact]
    public void KeepsAddresses_AcrossARestart_WhateverTheOrder()
    {
        var before = new ServiceAdmission(SmallPool(_stateDir));
        var first = before.Admit([Added(Lb("a")), Added(Lb("b"))], out _);
        Assert.Contains("\"loadBalancerIngress\"", File.ReadAllText(Path.Combine(_stateDir, AllocationStateStore.FileName)), StringComparison.Ordinal);

        // After the restart b arrives alone first: it must not take a's lower address.
        var after = new ServiceAdmission(SmallPool(_stateDir));
        var b = Admitted(after, Lb("b"));
        var a = Admitted(after, Lb("a"));

        Assert.Equal<string>(Current(first, a.Key).LoadBalancerIngress, a.LoadBalancerIngress);
        Assert.Equal<string>(Current(first, b.Key).LoadBalancerIngress, b.LoadBalancerIngress);
    }

    [Fact]
    public void ForgetsTheSavedAddress_OfADeletedService()
    {
        var before = new ServiceAdmission(SmallPool(_stateDir));
        var a = Admitted(before, Lb("a"));
        before.Admit([Deleted(a)], out _);

        var after = new ServiceAdmission(SmallPool(_stateDir));

        Assert.Equal<string>(["127.0.100.1"], Admitted(after, Lb("z")).LoadBalancerIngress);
    }

    [Fact]
    public void Reads_AStateFileWrittenBeforeLoadBalancerAddresses()
    {
        Directory.CreateDirectory(_stateDir);
        File.WriteAllText(Path.Combine(_stateDir, AllocationStateStore.FileName), """
            {"version": 1, "services": {"blog/a": {"clusterIPs": ["10.96.0.77"], "nodePorts": {"80/TCP": 30777}}}}
            """);

        var a = Admitted(new ServiceAdmission(SmallPool(_stateDir)), Lb("a"));

        Assert.Equal<string>(["10.96.0.77"], a.ClusterIPs);
        Assert.Equal(30777, a.Ports.Single().NodePort);
        Assert.Equal<string>(["127.0.100.1"], a.LoadBalancerIngress);
    }

    [Fact]
    public void Parses_TheLoadBalancerCidrFlag()
    {
        Assert.Equal("127.0.100.0/24", ControlPlaneOptions.Default.Allocation.LoadBalancerCidr.ToString());
        Assert.Equal("127.0.200.0/28", ControlPlaneOptions.Parse(["--load-balancer-cidr", "127.0.200.0/28"]).Allocation.LoadBalancerCidr.ToString());
        var error = Assert.Throws<FormatException>(() => ControlPlaneOptions.Parse(["--load-balancer-cidr=127.0.200.1"]));
        Assert.Equal("--load-balancer-cidr: expected a CIDR such as 10.96.0.0/16, got \"127.0.200.1\"", error.Message);
    }
}

using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using static MeshNet.ControlPlane.Tests.Allocation.AllocationTestKit;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests.Allocation;

/// <summary>
/// Node ports are picked by a hash of "ns/name/port/protocol" as the start of a linear probe over one ledger per
/// decision, so Services arriving together can share a start but never a port.
/// </summary>
public sealed class NodePortAllocationTests
{
    private static MeshService NodePort(string ns, string name, params ServicePort[] ports) =>
        Service(ns, name, $"app={name}", ports.Length == 0 ? [Port(80)] : ports, ServiceType.NodePort);

    [Fact]
    public void Allocates_DistinctPorts_ToServicesArrivingTogether_EvenWhenTheRangeIsTight()
    {
        var admission = new ServiceAdmission(Options(nodePorts: "31000-31019"));
        // 10 Services with 2 ports each fill the 20-port range exactly: any collision leaves one without a port.
        var services = Enumerable.Range(0, 10)
            .Select(i => NodePort("blog", $"svc-{i}", Port(80, name: "http"), Port(443, name: "https")))
            .ToArray();

        var changes = admission.Admit([.. services.Select(Added)], out var errors);

        Assert.Empty(errors);
        var ports = changes.SelectMany(c => ((MeshService)c.Current!).Ports.Select(p => p.NodePort!.Value)).ToList();
        Assert.Equal(20, ports.Count);
        Assert.Equal(20, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 31000, 31019));
    }

    [Fact]
    public void Refuses_TheSecondOfTwoServicesRequestingOnePort_InOneBatch_NamingBoth()
    {
        var admission = new ServiceAdmission(Options());
        var web = NodePort("blog", "web", Port(80) with { NodePort = 30080 });
        var shop = NodePort("shop", "front", Port(8080) with { NodePort = 30080 });

        var changes = admission.Admit([Added(shop), Added(web)], out var errors);

        Assert.Equal([web.Key], changes.Select(c => c.Key));
        var error = Assert.Single(errors);
        Assert.Equal(
            (shop.Key, "spec.ports[0].nodePort", "node port 30080 of Service shop/front is already allocated to Service blog/web; this version is not applied"),
            (error.Resource, error.Field, error.Message));
    }

    [Fact]
    public void KeepsDynamicAllocation_OffAPortAnotherServiceRequests_InTheSameBatch()
    {
        var admission = new ServiceAdmission(Options(nodePorts: "31000-31001"));
        // "blog/a" is decided first; whatever its hash picks, it must leave 31000 to the explicit request of "blog/b".
        var a = NodePort("blog", "a");
        var b = NodePort("blog", "b", Port(80) with { NodePort = 31000 });

        var changes = admission.Admit([Added(a), Added(b)], out var errors);

        Assert.Empty(errors);
        Assert.Equal(31001, Current(changes, a.Key).Ports.Single().NodePort);
        Assert.Equal(31000, Current(changes, b.Key).Ports.Single().NodePort);
    }
}

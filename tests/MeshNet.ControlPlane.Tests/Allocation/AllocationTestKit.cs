using MeshNet.ControlPlane.Allocation;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Tests.Allocation;

/// <summary>Options and admission helpers shared by the allocation tests.</summary>
internal static class AllocationTestKit
{
    public static ResourceChange Added(MeshResource r) => new(r.Key, null, r);

    public static ResourceChange Updated(MeshResource before, MeshResource after) => new(after.Key, before, after);

    public static ResourceChange Deleted(MeshResource r) => new(r.Key, r, null);

    public static AllocationOptions Options(
        string cidrs = "10.96.0.0/16", string? stateDir = null, string nodePorts = "30000-32767", string loadBalancer = "127.0.100.0/24")
    {
        var (min, max) = AllocationOptions.ParsePortRange("--node-port-range", nodePorts);
        return new AllocationOptions(AllocationOptions.ParseCidrs("--service-cidr", cidrs), min, max, stateDir)
        {
            LoadBalancerCidr = ServiceCidr.Parse("--load-balancer-cidr", loadBalancer),
        };
    }

    /// <summary>The admitted version of <paramref name="service"/>, asserting there were no admission errors.</summary>
    public static MeshService Admitted(ServiceAdmission admission, MeshService service)
    {
        var changes = admission.Admit([Added(service)], out var errors);
        Assert.Empty(errors);
        return Current(changes, service.Key);
    }

    public static MeshService Current(IEnumerable<ResourceChange> changes, ResourceKey key) =>
        (MeshService)changes.Single(c => c.Key == key).Current!;
}

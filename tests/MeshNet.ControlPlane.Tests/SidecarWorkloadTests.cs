using MeshNet.ControlPlane.Discovery;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Tests;

public sealed class SidecarWorkloadTests
{
    [Fact]
    public void Carries_TheNodesHostnameAndSubdomain_ForStatefulSetStyleNames()
    {
        var workload = SidecarWorkload.FromNode(new Node
        {
            Name = "web-0", Namespace = "shop", Address = "10.244.0.9", InboundPort = 15006, Hostname = "web-0", Subdomain = "web",
        });

        Assert.Equal(("web-0", "web"), (workload.Hostname, workload.Subdomain));
    }

    [Fact]
    public void Leaves_HostnameUnset_WhenTheNodeHasNone()
    {
        var workload = SidecarWorkload.FromNode(new Node { Name = "web-0", Namespace = "shop", Address = "10.244.0.9" });

        Assert.Null(workload.Hostname);
        Assert.Null(workload.Subdomain);
    }
}

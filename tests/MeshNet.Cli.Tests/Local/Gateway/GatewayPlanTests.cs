using System.Net;
using MeshNet.Cli.Local.Gateway;

namespace MeshNet.Cli.Tests.Local.Gateway;

public sealed class GatewayPlanTests
{
    private static readonly IPAddress Fallback = IPAddress.Parse("127.10.244.0");

    [Fact]
    public void Exposes_NodePortsOnLoopback_AndLoadBalancersOnTheirIngress()
    {
        var plan = GatewayPlan.From(
            [
                Service("blog", "frontend", "LoadBalancer", ["127.0.100.7"], Port(80, 31380)),
                Service("blog", "posts", "ClusterIP", [], Port(80, null)),
                Service("blog", "admin", "NodePort", [], Port(8080, 30081), Port(53, 30053, "UDP")),
            ],
            Fallback);

        Assert.Equal(
            [
                "--expose", "127.0.0.1:30081=admin.blog:8080",
                "--expose", "127.0.0.1:31380=frontend.blog:80",
                "--expose", "127.0.100.7:80=frontend.blog:80",
            ],
            plan.ExposeArguments());
    }

    [Fact]
    public void Picks_FallbackAddresses_InNameOrder_WhenTheControlPlaneReportsNone()
    {
        var plan = GatewayPlan.From(
            [Service("shop", "web", "LoadBalancer", null, Port(80, 30001)), Service("blog", "frontend", "LoadBalancer", [], Port(80, 30002))],
            Fallback);

        Assert.Equal(
            [("frontend", IPAddress.Parse("127.10.244.1")), ("web", IPAddress.Parse("127.10.244.2"))],
            plan.Services.Select(s => (s.Service.Name, s.External!.Address)));
    }

    [Fact]
    public void SameListeners_IgnoresChangesThatMoveNoListener_ButNotANewNodePort()
    {
        var before = GatewayPlan.From([Service("blog", "frontend", "LoadBalancer", ["127.0.100.1"], Port(80, 31380))], Fallback);
        var clusterIpOnly = GatewayPlan.From([Service("blog", "frontend", "LoadBalancer", ["127.0.100.1"], Port(80, 31380)) with { ClusterIPs = ["10.96.0.9"] }], Fallback);
        var moved = GatewayPlan.From([Service("blog", "frontend", "LoadBalancer", ["127.0.100.1"], Port(80, 31381))], Fallback);

        Assert.True(before.SameListeners(clusterIpOnly));
        Assert.False(before.SameListeners(moved));
        Assert.False(before.SameListeners(GatewayPlan.From([], Fallback)));
    }

    private static ServiceStatus Service(string ns, string name, string type, List<string>? ingress, params ServicePortStatus[] ports) =>
        new(ns, name, type, ["10.96.0.1"], [.. ports], [], ingress);

    private static ServicePortStatus Port(int port, int? nodePort, string protocol = "TCP") => new("p" + port, port, protocol, nodePort);
}

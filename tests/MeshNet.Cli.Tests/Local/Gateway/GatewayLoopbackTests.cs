using System.Net;
using System.Net.Sockets;
using MeshNet.Cli.Local;
using MeshNet.Cli.Local.Gateway;

namespace MeshNet.Cli.Tests.Local.Gateway;

/// <summary>The gateway in loopback mode: its own addresses, and listeners it may not open left out, not fatal.</summary>
public sealed class GatewayLoopbackTests
{
    private static readonly IPAddress Fallback = IPAddress.Parse("127.128.1.0");

    [Fact]
    public void Bindable_DropsOnlyRefusedListeners_AndNamesThem()
    {
        var plan = GatewayPlan.From(
            [
                Service("blog", "frontend", "LoadBalancer", ["127.128.1.1"], Port(80, 31380)),
                Service("blog", "api", "LoadBalancer", ["127.128.1.2"], Port(8443, 31443)),
            ],
            Fallback);

        var bindable = plan.Bindable(listen => listen.Port >= 1024, out var skipped);

        Assert.Equal(
            [
                "--expose", "127.0.0.1:31443=api.blog:8443",
                "--expose", "127.128.1.2:8443=api.blog:8443",
                "--expose", "127.0.0.1:31380=frontend.blog:80",
            ],
            bindable.ExposeArguments());
        var refused = Assert.Single(skipped);
        Assert.Equal((IPEndPoint.Parse("127.128.1.1:80"), "frontend.blog:80"), (refused.Listen, refused.Host));
        Assert.DoesNotContain("frontend", MeshNet.Cli.Commands.ServiceTable.Urls(bindable).Split('\n').Where(l => l.Contains("LoadBalancer", StringComparison.Ordinal)));
    }

    [Fact]
    public void Bindable_DropsAServiceLeftWithNoListener()
    {
        var plan = GatewayPlan.From([Service("blog", "web", "LoadBalancer", ["127.128.1.1"], Port(80, 31380))], Fallback);

        Assert.Empty(plan.Bindable(_ => false, out var skipped).Services);
        Assert.Equal(2, skipped.Count);
    }

    [Fact]
    public void ListenerProbe_AllowsAnAddressInUse_SinceOnlyPermissionIsAReasonToSkip()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();

        Assert.True(ListenerProbe.MayBind((IPEndPoint)listener.LocalEndpoint));
    }

    [Theory]
    [InlineData("127.0.1.0", "127.128.1.0")]
    [InlineData("127.42.1.0", "127.170.1.0")]
    [InlineData("127.200.3.0", "127.72.3.0")]
    public void LoopbackGatewayNetwork_IsOutsideThePods(string podNetwork, string expected)
    {
        var network = GatewayNetwork.ForLoopbackPods(IPAddress.Parse(podNetwork));

        Assert.Equal(IPAddress.Parse(expected), network);
        var pool = new PodAddressPool(IPAddress.Parse(podNetwork));
        var gatewayPrefix = network.ToString()[..^1];
        for (var i = 0; i < 600; i++)
        {
            Assert.False(pool.Next().ToString().StartsWith(gatewayPrefix, StringComparison.Ordinal));
        }
    }

    private static ServiceStatus Service(string ns, string name, string type, List<string>? ingress, params ServicePortStatus[] ports) =>
        new(ns, name, type, ["10.96.0.1"], [.. ports], [], ingress);

    private static ServicePortStatus Port(int port, int? nodePort) => new("p" + port, port, "TCP", nodePort);
}

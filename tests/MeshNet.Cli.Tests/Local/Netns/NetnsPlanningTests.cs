using System.Collections.Immutable;
using System.Net;
using MeshNet.Cli.Local;
using MeshNet.Cli.Local.Netns;

namespace MeshNet.Cli.Tests.Local.Netns;

/// <summary>What netns mode plans before it touches the host: addresses, names, commands, resolv.conf.</summary>
public sealed class NetnsPlanningTests
{
    [Theory]
    [InlineData("10.244.0.0/16", "10.244.0.0", null)]
    [InlineData("10.231.0.0/16", "10.231.0.0", null)]
    [InlineData("10.244.0.0/24", null, "--pod-cidr '10.244.0.0/24' is not an IPv4 /16 network outside 127.0.0.0/8 (e.g. 10.244.0.0/16)")]
    [InlineData("10.244.3.0/16", null, "--pod-cidr '10.244.3.0/16' is not an IPv4 /16 network outside 127.0.0.0/8 (e.g. 10.244.0.0/16)")]
    [InlineData("127.1.0.0/16", null, "--pod-cidr '127.1.0.0/16' is not an IPv4 /16 network outside 127.0.0.0/8 (e.g. 10.244.0.0/16)")]
    [InlineData("fd00::/16", null, "--pod-cidr 'fd00::/16' is not an IPv4 /16 network outside 127.0.0.0/8 (e.g. 10.244.0.0/16)")]
    public void Parses_PodCidr(string text, string? network, string? error)
    {
        var parsed = NetnsOptions.ParsePodCidr(text, out var message);

        Assert.Equal(network, parsed?.ToString());
        Assert.Equal(error, message);
    }

    [Fact]
    public void Derives_GatewayAndLoopbackGatewayNetworkFromThePodCidr()
    {
        var options = new NetnsOptions(IPAddress.Parse("10.244.0.0"), "meshnet0", "mn", "/run/meshnet/up-state.json");

        Assert.Equal("10.244.0.1", options.Gateway.ToString());
        Assert.Equal("127.10.244.0", options.GatewayNetwork.ToString());
        Assert.Equal("10.244.0.0/16", options.PodCidr);
    }

    [Fact]
    public void Hands_OutPodIpsAfterTheGateway()
    {
        var pool = PodAddressPool.ForPodCidr(IPAddress.Parse("10.244.0.0"));

        var addresses = Enumerable.Range(0, 255).Select(_ => pool.Next().ToString()).ToList();

        Assert.Equal("10.244.0.2", addresses[0]);
        Assert.Equal("10.244.0.254", addresses[252]);
        Assert.Equal("10.244.1.1", addresses[253]);
    }

    [Fact]
    public void Writes_TheKubeletsClusterFirstResolvConf()
    {
        Assert.Equal(
            "search blog.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.244.0.2\noptions ndots:5\n",
            PodNetwork.ResolvConf("blog", "10.244.0.2"));
    }

    [Fact]
    public void Runs_ProcessesInsideTheNamespace()
    {
        var spec = new ProcessSpec("posts", "/usr/bin/dotnet", ["blog-app.dll"], [KeyValuePair.Create("PORT", "8080")]);

        var wrapped = PodNetwork.InNamespace("mn-posts", spec);

        Assert.Equal("ip", wrapped.FileName);
        Assert.Equal(["netns", "exec", "mn-posts", "/usr/bin/dotnet", "blog-app.dll"], wrapped.Arguments.ToArray());
        Assert.Equal(spec.Environment, wrapped.Environment);
    }

    [Fact]
    public void Builds_ATransparentSidecarCommandLine()
    {
        var pod = new PodIdentity("posts-0", "blog", "10.244.0.2", "default", ImmutableSortedDictionary<string, string>.Empty);
        var sidecar = new SidecarSettings(pod, 8080, [], null, new NetnsSidecar("mn-posts-0", "10.0.0.53:53"));

        var arguments = sidecar.ToArguments(new Uri("http://10.244.0.1:41234/"));

        Assert.Equal(
            [
                "--control-plane", "http://10.244.0.1:41234",
                "--name", "posts-0",
                "--namespace", "blog",
                "--service-account", "default",
                "--app-address", "10.244.0.2",
                "--app-port", "8080",
                "--inbound", "10.244.0.2:15006",
                "--outbound", "127.0.0.1:15001",
                "--admin", "10.244.0.2:15000",
                "--dns", "127.0.0.1:15053",
                "--dns-upstream", "10.0.0.53:53",
            ],
            arguments);
    }

    [Fact]
    public void Plans_AppsThatCallServicesDirectly_InTheirNamespaces()
    {
        var manifests = ManifestReader.Read(TestPaths.BlogSample);
        var suffix = 0;
        var planner = new PodPlanner(
            PodAddressPool.ForPodCidr(IPAddress.Parse("10.244.0.0")), () => $"s{suffix++:D4}", name => $"/artifacts/{name}.dll", pod => new NetnsSidecar("mn-" + pod.Name, null));

        var pods = planner.Plan(manifests.Deployments);

        Assert.All(pods, pod =>
        {
            var app = Assert.Single(pod.Containers);
            Assert.Equal("mn-" + pod.Pod.Name, pod.Sidecar.Netns?.Namespace);
            Assert.Equal("ip", app.FileName);
            Assert.Equal(["netns", "exec", "mn-" + pod.Pod.Name], app.Arguments.Take(3).ToArray());
            Assert.DoesNotContain(app.Environment, e => e.Key == PodPlanner.OutboundVariable);
            Assert.StartsWith("10.244.0.", pod.Pod.Address, StringComparison.Ordinal);
        });
    }
}

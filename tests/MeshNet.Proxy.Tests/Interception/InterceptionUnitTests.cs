using System.Net;
using MeshNet.Proxy.ClusterDns;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Init;
using MeshNet.Proxy.Interception;
using MeshNet.Proxy.Tests.Infrastructure;

namespace MeshNet.Proxy.Tests.Interception;

/// <summary>Rule generation, SO_ORIGINAL_DST decoding, upstream resolver choice, init flags.</summary>
public sealed class InterceptionUnitTests
{
    [Fact]
    public void Install_MatchesTheGoldenRuleset()
    {
        var options = new InitOptions { ProxyUid = 1001, ProxyGid = 1002, ExcludeInboundPorts = [15000, 22], ExcludeOutboundCidrs = ["169.254.0.0/16"] };

        var rules = IptablesRuleset.Install(options, existing: string.Empty);

        Golden.AssertMatches("init-rules.txt", rules);
    }

    [Fact]
    public void Install_SkipsJumpsThatAreAlreadyThere()
    {
        const string existing = "*nat\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j MESHNET_PREROUTING\n-A OUTPUT -j MESHNET_OUTPUT\nCOMMIT\n";

        var rules = IptablesRuleset.Install(new InitOptions(), existing);

        Assert.DoesNotContain("-A OUTPUT -j MESHNET_OUTPUT", rules, StringComparison.Ordinal);
        Assert.DoesNotContain("-A PREROUTING -j MESHNET_PREROUTING", rules, StringComparison.Ordinal);
        Assert.Contains(":MESHNET_OUTPUT - [0:0]", rules, StringComparison.Ordinal);
    }

    [Fact]
    public void Remove_DeletesOnlyOurJumpsAndChains_ThatExist()
    {
        const string existing = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :MESHNET_OUTPUT - [0:0]
            :MESHNET_OUTBOUND_REDIRECT - [0:0]
            :OTHER - [0:0]
            -A OUTPUT -j MESHNET_OUTPUT
            -A OUTPUT -j OTHER
            COMMIT
            """;

        var rules = IptablesRuleset.Remove(existing);

        Assert.Equal("*nat\n-D OUTPUT -j MESHNET_OUTPUT\n-F MESHNET_OUTPUT\n-F MESHNET_OUTBOUND_REDIRECT\n-X MESHNET_OUTPUT\n-X MESHNET_OUTBOUND_REDIRECT\nCOMMIT\n", rules);
    }

    [Fact]
    public void Install_ForIpv6_UsesIpv6LoopbackAndCidrs()
    {
        var rules = IptablesRuleset.Install(new InitOptions { ExcludeOutboundCidrs = ["10.0.0.0/8", "fd00::/8"] }, string.Empty, ipv6: true);

        Assert.Contains("-A MESHNET_OUTPUT -d ::1/128 -j RETURN", rules, StringComparison.Ordinal);
        Assert.Contains("-A MESHNET_OUTPUT -d fd00::/8 -j RETURN", rules, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.0/8", rules, StringComparison.Ordinal);
    }

    [Fact]
    public void Install_WithoutMark_HasNoMarkRule()
    {
        var rules = IptablesRuleset.Install(new InitOptions { Mark = 0 }, string.Empty);

        Assert.DoesNotContain("--mark", rules, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--inbound-port", "0" }, "--inbound-port: '0' is not a port (1-65535)")]
    [InlineData(new[] { "--exclude-outbound-cidrs", "10.0.0.0/8,10.0.0.0/33" }, "--exclude-outbound-cidrs: '10.0.0.0/33' is not a CIDR like 10.0.0.0/8 or fd00::/8")]
    [InlineData(new[] { "--proxy-uid", "root" }, "--proxy-uid: 'root' is not a numeric id")]
    [InlineData(new[] { "--mark", "x" }, "--mark: 'x' is not a number (decimal or 0x hex)")]
    [InlineData(new[] { "--bogus", "1" }, "unknown flag '--bogus'")]
    public void InitFlags_Rejects_WithTheReason(string[] args, string expected)
    {
        Assert.Null(InitCommandLine.Parse(args, out var error, out _));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void InitFlags_Parse()
    {
        var options = InitCommandLine.Parse(["--mark=0x10", "--remove", "--dns-port", "5353", "--exclude-inbound-ports", "22, 15000"], out var error, out _);

        Assert.Null(error);
        Assert.Equal(16u, options!.Mark);
        Assert.True(options.Remove);
        Assert.Equal(5353, options.DnsPort);
        Assert.Equal([22, 15000], options.ExcludeInboundPorts.ToArray());
    }

    [Fact]
    public void OriginalDestination_ParsesSockaddrIn()
    {
        // AF_INET (2, host order), port 80 big-endian, 10.96.0.12, 8 bytes of zero padding.
        byte[] sockaddr = [2, 0, 0, 80, 10, 96, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0];

        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.96.0.12"), 80), OriginalDestination.Parse(sockaddr));
    }

    [Fact]
    public void OriginalDestination_ParsesSockaddrIn6()
    {
        var sockaddr = new byte[28];
        sockaddr[0] = 10;
        sockaddr[2] = 0x1f;
        sockaddr[3] = 0x90;
        IPAddress.Parse("fd00::12").GetAddressBytes().CopyTo(sockaddr, 8);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("fd00::12"), 8080), OriginalDestination.Parse(sockaddr));
    }

    [Fact]
    public void OriginalDestination_UnwrapsV4MappedAddresses()
    {
        var sockaddr = new byte[28];
        sockaddr[0] = 10;
        sockaddr[3] = 80;
        IPAddress.Parse("10.96.0.12").MapToIPv6().GetAddressBytes().CopyTo(sockaddr, 8);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.96.0.12"), 80), OriginalDestination.Parse(sockaddr));
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 80, 1, 2, 3, 4 })]
    [InlineData(new byte[] { 2, 0 })]
    [InlineData(new byte[] { 10, 0, 0, 80, 0, 0, 0, 0 })]
    public void OriginalDestination_RejectsOtherFamiliesAndShortBuffers(byte[] sockaddr) =>
        Assert.Null(OriginalDestination.Parse(sockaddr));

    [Fact]
    public void DomainKey_BracketsIPv6()
    {
        Assert.Equal("10.96.0.12:80", InterceptedConnection.DomainKey(new IPEndPoint(IPAddress.Parse("10.96.0.12"), 80)));
        Assert.Equal("[fd00::12]:80", InterceptedConnection.DomainKey(new IPEndPoint(IPAddress.Parse("fd00::12"), 80)));
    }

    [Fact]
    public void Upstream_IsTheFirstNameserverThatIsNotThisSidecar()
    {
        const string resolvConf = "# pod\nsearch blog.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.244.0.5\nnameserver 10.0.0.2\noptions ndots:5\n";

        var upstream = DnsUpstreamSelector.Select(null, resolvConf, [IPAddress.Parse("10.244.0.5")]);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 53), upstream);
    }

    [Fact]
    public void Upstream_IsNone_WhenTheOnlyNameserverIsThisSidecar() =>
        Assert.Null(DnsUpstreamSelector.Select(null, "nameserver 10.244.0.5\n", [IPAddress.Parse("10.244.0.5")]));

    [Fact]
    public void Upstream_PrefersTheFlag()
    {
        var configured = new IPEndPoint(IPAddress.Parse("10.0.0.9"), 5353);

        Assert.Equal(configured, DnsUpstreamSelector.Select(configured, "nameserver 10.0.0.2\n", []));
    }

    [Fact]
    public void DestinationFor_PicksThePodDialled_ElseRoundRobin()
    {
        var pod = new OutboundDestination("10.244.0.8:15006", "10.244.0.8", "http://10.244.0.8:15006", Yarp.ReverseProxy.Forwarder.HttpTransformer.Empty);
        var other = new OutboundDestination("10.244.0.9:15006", "10.244.0.9", "http://10.244.0.9:15006", Yarp.ReverseProxy.Forwarder.HttpTransformer.Empty);
        var cluster = new ClusterEntry("c", new Yarp.ReverseProxy.Model.ClusterState("c"), [pod, other], new MeshNet.Proxy.Resilience.ClusterResilience(new MeshNet.Protocol.V1.Cluster { Name = "c" }));

        Assert.All(Enumerable.Range(0, 4), _ => Assert.Same(pod, cluster.DestinationFor("10.244.0.8")));
        Assert.NotSame(cluster.DestinationFor("10.96.0.12"), cluster.DestinationFor("10.96.0.12"));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", true)]
    [InlineData("PRI * HTTP/2.0\r\n", true)]
    [InlineData("OPTIONS ", true)]
    [InlineData("PING\r\n", false)]
    [InlineData("ping", false)]
    [InlineData("\u0016\u0003\u0001", false)]
    [InlineData("DEL", null)]
    [InlineData("", null)]
    public void HttpSniffer_ClassifiesFirstBytes(string first, bool? expected) =>
        Assert.Equal(expected, HttpSniffer.Classify(new System.Buffers.ReadOnlySequence<byte>(System.Text.Encoding.Latin1.GetBytes(first))));
}

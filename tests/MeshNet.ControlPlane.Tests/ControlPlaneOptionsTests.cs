using System.Net;
using MeshNet.ControlPlane.Hosting;

namespace MeshNet.ControlPlane.Tests;

public sealed class ControlPlaneOptionsTests
{
    [Fact]
    public void Defaults_ToTheDocumentedValues()
    {
        var options = ControlPlaneOptions.Parse([]);

        Assert.Null(options.ConfigDirectory);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:15010"), options.Grpc);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:15014"), options.Admin);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.Debounce.Quiet);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Debounce.MaxDelay);
        Assert.Equal("cluster.local", options.ClusterDomain);
        Assert.Equal("10.96.0.0/16", options.Allocation.DescribeCidrs());
        Assert.Equal((30000, 32767), (options.Allocation.NodePortMin, options.Allocation.NodePortMax));
        Assert.Null(options.Allocation.StateDirectory);
        Assert.Null(options.Dns);
    }

    [Fact]
    public void Parses_TheAllocationAndDnsFlags()
    {
        var options = ControlPlaneOptions.Parse(
            ["--service-cidr", "10.100.0.0/20,fd00:10:96::/112", "--node-port-range=31000-31999", "--state-dir", "state", "--dns", "127.0.0.1:10053"]);

        Assert.Equal("10.100.0.0/20,fd00:10:96::/112", options.Allocation.DescribeCidrs());
        Assert.Equal((31000, 31999), (options.Allocation.NodePortMin, options.Allocation.NodePortMax));
        Assert.Equal("state", options.Allocation.StateDirectory);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:10053"), options.Dns);
    }

    [Fact]
    public void Parses_EveryFlag_InBothForms()
    {
        var options = ControlPlaneOptions.Parse(
            ["--config", "manifests", "--grpc=127.0.1.1:0", "--admin", "localhost:9", "--debounce-quiet", "250ms", "--debounce-max=1.5s", "--cluster-domain", "mesh.example."]);

        Assert.Equal("manifests", options.ConfigDirectory);
        Assert.Equal(IPEndPoint.Parse("127.0.1.1:0"), options.Grpc);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9"), options.Admin);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Debounce.Quiet);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.Debounce.MaxDelay);
        Assert.Equal("mesh.example", options.ClusterDomain);
    }

    [Theory]
    [InlineData("--grpc", "15010", "--grpc: expected ADDR:PORT, got \"15010\"")]
    [InlineData("--admin", "nowhere:80", "--admin: expected ADDR:PORT, got \"nowhere:80\"")]
    [InlineData("--debounce-quiet", "100", "--debounce-quiet: expected a duration with a unit (ms, s, m), got \"100\"")]
    [InlineData("--debounce-max", "-1s", "--debounce-max: expected a duration with a unit (ms, s, m), got \"-1s\"")]
    [InlineData("--verbose", "1", "--verbose: unknown flag")]
    [InlineData("--node-port-range", "32767-30000", "--node-port-range: expected a port range such as 30000-32767, got \"32767-30000\"")]
    [InlineData("--service-cidr", "10.96.0.0/16,10.97.0.0/16",
        "--service-cidr: expected one CIDR, or an IPv4 and an IPv6 CIDR separated by a comma, got \"10.96.0.0/16,10.97.0.0/16\"")]
    [InlineData("--dns", "53", "--dns: expected ADDR:PORT, got \"53\"")]
    public void Rejects_MalformedArguments_NamingTheFlag(string flag, string value, string message)
    {
        var error = Assert.Throws<FormatException>(() => ControlPlaneOptions.Parse([flag, value]));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Rejects_MaxDelayShorterThanQuietPeriod()
    {
        var error = Assert.Throws<FormatException>(() => ControlPlaneOptions.Parse(["--debounce-quiet", "2s", "--debounce-max", "1s"]));

        Assert.Equal("--debounce-max: must not be shorter than --debounce-quiet", error.Message);
    }

    [Fact]
    public void Rejects_FlagWithoutValue()
    {
        var error = Assert.Throws<FormatException>(() => ControlPlaneOptions.Parse(["--config"]));

        Assert.Equal("--config: missing value", error.Message);
    }
}

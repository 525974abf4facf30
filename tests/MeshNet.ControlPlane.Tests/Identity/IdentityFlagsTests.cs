using MeshNet.ControlPlane.Hosting;

namespace MeshNet.ControlPlane.Tests.Identity;

public sealed class IdentityFlagsTests
{
    [Fact]
    public void Defaults_ToClusterLocal_AndADayLongLeaf_WithAGeneratedCa()
    {
        var identity = ControlPlaneOptions.Parse([]).Identity;

        Assert.Equal(("cluster.local", TimeSpan.FromHours(24)), (identity.TrustDomain, identity.CertTtl));
        Assert.Null(identity.CaCertFile);
        Assert.Null(identity.CaKeyFile);
        Assert.Null(identity.CaBundleExtraFile);
    }

    [Fact]
    public void Parses_TheCaFlags()
    {
        var identity = ControlPlaneOptions.Parse(
            ["--trust-domain", "mesh.example", "--cert-ttl=90m", "--ca-cert", "ca.pem", "--ca-key", "ca-key.pem", "--ca-bundle-extra", "next.pem"]).Identity;

        Assert.Equal(("mesh.example", TimeSpan.FromMinutes(90)), (identity.TrustDomain, identity.CertTtl));
        Assert.Equal(("ca.pem", "ca-key.pem", "next.pem"), (identity.CaCertFile, identity.CaKeyFile, identity.CaBundleExtraFile));
        Assert.Equal(TimeSpan.FromHours(12), ControlPlaneOptions.Parse(["--cert-ttl", "12h"]).Identity.CertTtl);
    }

    [Theory]
    [InlineData(new[] { "--cert-ttl", "30s" }, "--cert-ttl: must be at least 1m, got \"30s\"")]
    [InlineData(new[] { "--cert-ttl", "1d" }, "--cert-ttl: expected a duration with a unit (ms, s, m, h), got \"1d\"")]
    [InlineData(new[] { "--trust-domain", "Cluster.Local" }, "--trust-domain: expected a trust domain (lower-case letters, digits, '.', '-', '_'), got \"Cluster.Local\"")]
    [InlineData(new[] { "--trust-domain", "td/ns/x" }, "--trust-domain: expected a trust domain (lower-case letters, digits, '.', '-', '_'), got \"td/ns/x\"")]
    [InlineData(new[] { "--ca-cert", "ca.pem" }, "--ca-cert and --ca-key go together")]
    [InlineData(new[] { "--ca-key", "ca-key.pem" }, "--ca-cert and --ca-key go together")]
    public void Rejects_ABadCaFlag(string[] args, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => ControlPlaneOptions.Parse(args)).Message);
    }
}

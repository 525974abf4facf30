using MeshNet.ControlPlane.Hosting;

namespace MeshNet.ControlPlane.Tests.Kubernetes;

public sealed class KubernetesModeOptionsTests
{
    [Fact]
    public void Kubernetes_IsOff_AndTheTokenAudienceIsMeshnet_ByDefault()
    {
        var options = ControlPlaneOptions.Parse([]);

        Assert.False(options.Kubernetes.Enabled);
        Assert.Equal(["meshnet"], options.Kubernetes.TokenAudiences.ToArray());
        Assert.Equal("meshnet-ca", options.Kubernetes.CaSecret);
    }

    [Fact]
    public void Parses_TheCaSecretName()
    {
        Assert.Equal("corp-mesh-ca", ControlPlaneOptions.Parse(["--kubernetes", "--ca-secret", "corp-mesh-ca"]).Kubernetes.CaSecret);
    }

    [Fact]
    public void Parses_KubernetesKubeconfigAndAudiences()
    {
        var options = ControlPlaneOptions.Parse(["--kubernetes", "--kubeconfig", "/etc/meshnet/kubeconfig", "--token-audience", "meshnet, https://kubernetes.default.svc"]);

        Assert.True(options.Kubernetes.Enabled);
        Assert.Equal("/etc/meshnet/kubeconfig", options.Kubernetes.Kubeconfig);
        Assert.Equal(["meshnet", "https://kubernetes.default.svc"], options.Kubernetes.TokenAudiences.ToArray());
    }

    [Theory]
    [InlineData(new[] { "--kubernetes", "--service-cidr", "10.43.0.0/16", "--load-balancer-cidr=127.0.200.0/24" }, new[] { "--service-cidr", "--load-balancer-cidr" })]
    [InlineData(new[] { "--node-port-range", "20000-22767", "--kubernetes" }, new[] { "--node-port-range" })]
    [InlineData(new[] { "--kubernetes", "--state-dir", "/var/lib/meshnet" }, new string[0])]
    [InlineData(new[] { "--service-cidr", "10.43.0.0/16" }, new string[0])]
    public void UniversalOnlyAllocationFlags_AreAccepted_AndNamedAsIgnored_UnderKubernetes(string[] args, string[] ignored)
    {
        Assert.Equal(ignored, ControlPlaneOptions.Parse(args).Kubernetes.IgnoredFlags.ToArray());
    }

    [Theory]
    [InlineData(new[] { "--kubeconfig", "/k" }, "--kubeconfig: only with --kubernetes")]
    [InlineData(new[] { "--kubernetes", "--config", "/manifests" }, "--config and --kubernetes: choose one source of resources")]
    [InlineData(new[] { "--kubernetes", "--token-audience", " , " }, "--token-audience: expected one or more audiences separated by commas")]
    [InlineData(new[] { "--kubernetes", "--kubeconfig", "" }, "--kubeconfig: expected a file")]
    [InlineData(new[] { "--ca-secret", "corp-ca" }, "--ca-secret: only with --kubernetes")]
    [InlineData(new[] { "--kubernetes", "--ca-secret", "Mesh_CA" }, "--ca-secret: expected a Secret name (lower-case letters, digits, '-', '.'), got \"Mesh_CA\"")]
    public void Rejects_(string[] args, string message)
    {
        var error = Assert.Throws<FormatException>(() => ControlPlaneOptions.Parse(args));

        Assert.Equal(message, error.Message);
    }
}

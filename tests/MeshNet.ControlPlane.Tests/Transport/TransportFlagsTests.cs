using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Transport;

namespace MeshNet.ControlPlane.Tests.Transport;

public sealed class TransportFlagsTests
{
    [Fact]
    public void Defaults_ToPlaintextForLoopbackCertify()
    {
        var options = ControlPlaneOptions.Parse([]);

        Assert.Equal(PlaintextPolicy.Loopback, options.Transport.Plaintext);
        Assert.Empty(options.Transport.ExtraNames);
    }

    [Fact]
    public void Parses_ThePolicy_TheNamespace_AndRepeatedSans()
    {
        var options = ControlPlaneOptions.Parse(["--grpc-plaintext", "none", "--pod-namespace", "mesh", "--grpc-tls-san", "cp.example.org,10.0.0.7", "--grpc-tls-san=cp2.example.org"]);

        Assert.Equal(PlaintextPolicy.None, options.Transport.Plaintext);
        Assert.Equal("mesh", options.Transport.Namespace);
        Assert.Equal(["cp.example.org", "10.0.0.7", "cp2.example.org"], options.Transport.ExtraNames.ToArray());
    }

    [Theory]
    [InlineData("--grpc-plaintext", "sometimes", "--grpc-plaintext: expected loopback, any or none, got \"sometimes\"")]
    [InlineData("--grpc-tls-san", "Bad_Name", "--grpc-tls-san: \"Bad_Name\" is neither an IP address nor a DNS name")]
    [InlineData("--grpc-tls-san", ",", "--grpc-tls-san: expected a DNS name or IP address")]
    public void Rejects_ABadValue_NamingTheFlag(string flag, string value, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => ControlPlaneOptions.Parse([flag, value])).Message);
}

using System.Net.Security;
using MeshNet.Proxy.Discovery;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Tests.Tls;

namespace MeshNet.Proxy.Tests.Interception;

/// <summary>How a sidecar decides it reached the control plane over https, and when it keeps a join token to itself.</summary>
public sealed class ControlPlaneTrustTests : IDisposable
{
    private const string ControlPlaneId = "spiffe://cluster.local/ns/meshnet-system/sa/meshnet-control";

    private readonly TestCa _ca = new();
    private readonly string _bundle = Path.Combine(Path.GetTempPath(), $"mnt-cp-bundle-{Guid.NewGuid():N}.pem");

    public ControlPlaneTrustTests() => File.WriteAllText(_bundle, _ca.Root.ExportCertificatePem());

    [Fact]
    public void Accepts_TheControlPlanesCertificate_FromTheBundle()
    {
        using var served = _ca.Issue(ControlPlaneId);

        Assert.Null(Trust().Validate(served, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void Refuses_AWorkloadCertificate_OfTheSameCa()
    {
        using var served = _ca.Issue("spiffe://cluster.local/ns/blog/sa/posts");

        Assert.Equal(
            "the certificate carries no control-plane SPIFFE ID (spiffe://cluster.local/ns/<ns>/sa/meshnet-control), only [spiffe://cluster.local/ns/blog/sa/posts]",
            Trust().Validate(served, null, SslPolicyErrors.None));
    }

    [Fact]
    public void Refuses_AControlPlaneOfAnotherTrustDomain_AndOneThatDoesNotNameTheHost()
    {
        using var foreign = _ca.Issue("spiffe://example.org/ns/meshnet-system/sa/meshnet-control");
        using var served = _ca.Issue(ControlPlaneId);

        Assert.StartsWith("the certificate carries no control-plane SPIFFE ID", Trust().Validate(foreign, null, SslPolicyErrors.None), StringComparison.Ordinal);
        Assert.Equal("the certificate does not name 10.0.0.1", Trust().Validate(served, null, SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    [Fact]
    public void Refuses_ACertificateOfAnotherCa()
    {
        using var other = new TestCa("Another Root");
        using var served = other.Issue(ControlPlaneId);

        Assert.StartsWith("the certificate does not chain to --control-plane-ca", Trust().Validate(served, null, SslPolicyErrors.None), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:15010", true)]
    [InlineData("http://127.0.1.5:15010", true)]
    [InlineData("http://localhost:15010", true)]
    [InlineData("http://[::1]:15010", true)]
    [InlineData("https://10.0.0.1:15010", true)]
    [InlineData("http://10.0.0.1:15010", false)]
    [InlineData("http://meshnet-control.meshnet-system.svc:15010", false)]
    public void Sends_AJoinToken_InClear_OnlyToLoopback(string url, bool allowed) =>
        Assert.Equal(allowed, ControlPlaneTrust.PlaintextTokenRefusal(new Uri(url)) is null);

    [Theory]
    [InlineData(new[] { "--control-plane", "http://10.0.0.1:15010", "--join-token", "t" }, "refusing to send the join token over plaintext to the non-loopback control plane http://10.0.0.1:15010: use https:// with --control-plane-ca (the control plane writes its bundle to <state-dir>/ca-bundle.pem)")]
    [InlineData(new[] { "--control-plane", "http://127.0.0.1:15010", "--control-plane-ca", "/etc/hosts" }, "--control-plane-ca /etc/hosts needs an https:// --control-plane, not http://127.0.0.1:15010/")]
    [InlineData(new[] { "--control-plane", "https://10.0.0.1:15010", "--control-plane-ca", "/nonexistent/ca.pem" }, "--control-plane-ca: /nonexistent/ca.pem does not exist")]
    public void Rejects_ControlPlaneTransportFlags_ThatWouldLeakOrMeanNothing(string[] args, string message)
    {
        Assert.Null(ProxyCommandLine.Parse(args, out var error, out _));
        Assert.Equal(message, error);
    }

    private ControlPlaneTrust Trust() => new(new ProxyOptions { ControlPlane = new Uri("https://10.0.0.1:15010"), ControlPlaneCa = _bundle });

    public void Dispose()
    {
        _ca.Dispose();
        File.Delete(_bundle);
    }
}

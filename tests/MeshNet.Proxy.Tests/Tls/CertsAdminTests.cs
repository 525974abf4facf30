using System.Text.Json;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Tests.Tls;

public sealed class CertsAdminTests
{
    [Fact]
    public async Task Certs_ShowsIdentityExpiryBundleAndRefusals()
    {
        using var ca = new TestCa();
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Strict);
        using var plain = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetStringAsync($"http://127.0.0.1:{sidecar.InboundPort}/"));

        using var certs = JsonDocument.Parse(await plain.GetStringAsync($"http://127.0.0.1:{sidecar.AdminPort}/certs"));

        var root = certs.RootElement;
        Assert.True(root.GetProperty("enabled").GetBoolean());
        Assert.Equal("spiffe://cluster.local/ns/blog/sa/posts", root.GetProperty("identity").GetString());
        Assert.Equal(sidecar.Certificate.NotAfter, root.GetProperty("notAfter").GetDateTimeOffset());
        Assert.InRange(root.GetProperty("secondsToExpiry").GetDouble(), 3000, 3601);
        Assert.Equal(["CN=MeshNet Test Root"], root.GetProperty("bundle").EnumerateArray().Select(e => e.GetString()));
        // The test CA signs leaves with its root directly: the issuer is the bundle's only root.
        var rootSha256 = Convert.ToHexStringLower(ca.Root.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256));
        Assert.Equal([rootSha256], root.GetProperty("bundleSha256").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(rootSha256, root.GetProperty("issuerSha256").GetString());
        Assert.Equal(0, root.GetProperty("renewal").GetProperty("failures").GetInt32());
        Assert.Equal(1, root.GetProperty("refused").GetProperty("plaintext-in-strict").GetInt64());
    }

    [Fact]
    public void JoinToken_ComesFromTheFlag_AndTrustDomainIsChecked()
    {
        var options = ProxyCommandLine.Parse(["--join-token", "abc", "--trust-domain", "example.org"], out var error, out _);

        Assert.Null(error);
        Assert.Equal("abc", options!.JoinToken);
        Assert.Equal("example.org", options.TrustDomain);
        Assert.Null(ProxyCommandLine.Parse(["--trust-domain", "Example.org"], out error, out _));
        Assert.Equal("--trust-domain: 'Example.org' is not a trust domain (lower-case letters, digits, '-', '.', '_')", error);
        Assert.Equal("cluster.local", ProxyCommandLine.Parse([], out _, out _)!.TrustDomain);
    }
}

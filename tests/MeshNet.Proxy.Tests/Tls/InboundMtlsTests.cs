using System.Net;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Tls;

namespace MeshNet.Proxy.Tests.Tls;

/// <summary>The inbound listener with a certificate: mTLS, and plaintext as the streamed mode allows.</summary>
public sealed class InboundMtlsTests
{
    private const string ClientId = "spiffe://cluster.local/ns/blog/sa/frontend";

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Accepts_MutualTls_AndTellsTheAppTheCallersSpiffeId(string version)
    {
        using var ca = new TestCa();
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Strict);
        using var clientCertificate = ca.Issue(ClientId);
        using var client = MtlsSidecar.MtlsClient(clientCertificate, ca.Root);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{sidecar.InboundPort}/")
        {
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TryAddWithoutValidation(MeshPeer.Header, "spiffe://cluster.local/ns/blog/sa/admin");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(version == "2.0" ? $"HTTP/2|{ClientId}" : $"HTTP/1.1|{ClientId}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Permissive_AcceptsPlaintext_AndLabelsIt()
    {
        using var ca = new TestCa();
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Permissive);
        using var plain = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{sidecar.InboundPort}/");
        // A caller claiming an identity in plaintext gets the label, not the claim.
        request.Headers.TryAddWithoutValidation(MeshPeer.Header, ClientId);

        using var response = await plain.SendAsync(request);

        Assert.Equal("HTTP/1.1|plaintext", await response.Content.ReadAsStringAsync());
        using var clientCertificate = ca.Issue(ClientId);
        using var mtls = MtlsSidecar.MtlsClient(clientCertificate, ca.Root);
        Assert.Equal($"HTTP/1.1|{ClientId}", await mtls.GetStringAsync($"https://127.0.0.1:{sidecar.InboundPort}/"));
    }

    [Fact]
    public async Task Strict_RefusesPlaintext_WithoutAnswering()
    {
        using var ca = new TestCa();
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Strict);
        using var plain = new HttpClient();

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetStringAsync($"http://127.0.0.1:{sidecar.InboundPort}/"));

        Assert.Null(failure.StatusCode);
        Assert.Equal(1, sidecar.Refusals.Count(PeerRejection.PlaintextInStrict));
        Assert.Contains(sidecar.Logs, line => line.Contains("plaintext-in-strict", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disabled_RefusesTls_AndServesPlaintextUnlabelledAsPlaintext()
    {
        using var ca = new TestCa();
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Disabled);
        using var clientCertificate = ca.Issue(ClientId);
        using var mtls = MtlsSidecar.MtlsClient(clientCertificate, ca.Root);
        using var plain = new HttpClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => mtls.GetStringAsync($"https://127.0.0.1:{sidecar.InboundPort}/"));

        Assert.Equal("HTTP/1.1|plaintext", await plain.GetStringAsync($"http://127.0.0.1:{sidecar.InboundPort}/"));
        Assert.Equal(1, sidecar.Refusals.Count(PeerRejection.TlsWhenDisabled));
    }

    public static TheoryData<string, string> BadClientCertificates => new()
    {
        { "other-ca", PeerRejection.UnknownAuthority },
        { "expired", PeerRejection.Expired },
        { "not-yet-valid", PeerRejection.NotYetValid },
        { "other-trust-domain", PeerRejection.ForeignTrustDomain },
        { "no-spiffe-id", PeerRejection.NoSpiffeId },
        { "two-segment-id", PeerRejection.NoSpiffeId },
    };

    [Theory]
    [MemberData(nameof(BadClientCertificates))]
    public async Task Refuses_ClientCertificate_WithTypedReason(string kind, string reason)
    {
        using var ca = new TestCa();
        using var otherCa = new TestCa("Someone Else's Root");
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Permissive);
        var now = DateTimeOffset.UtcNow;
        using var certificate = kind switch
        {
            "other-ca" => otherCa.Issue(ClientId),
            "expired" => ca.Issue(ClientId, now.AddHours(-2), now.AddHours(-1)),
            "not-yet-valid" => ca.Issue(ClientId, now.AddHours(1), now.AddHours(2)),
            "other-trust-domain" => ca.Issue("spiffe://example.org/ns/blog/sa/frontend"),
            "no-spiffe-id" => ca.Issue(null),
            _ => ca.Issue("spiffe://cluster.local/frontend"),
        };
        using var client = MtlsSidecar.MtlsClient(certificate, ca.Root);

        // TLS 1.3: the client finishes its side before the server's verdict, which then closes the connection.
        // HttpClient retries such a request on new connections (3 times), each refused for the same reason.
        await Assert.ThrowsAnyAsync<Exception>(() => client.GetStringAsync($"https://127.0.0.1:{sidecar.InboundPort}/"));

        Assert.Equal([reason], sidecar.Refusals.Snapshot().Keys);
        Assert.Contains(sidecar.Logs, line => line.Contains($"Refused the client certificate: {reason}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refuses_TlsWithoutClientCertificate()
    {
        using var ca = new TestCa();
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Strict);
        using var client = MtlsSidecar.MtlsClient(null, ca.Root);

        await Assert.ThrowsAnyAsync<Exception>(() => client.GetStringAsync($"https://127.0.0.1:{sidecar.InboundPort}/"));

        Assert.Equal([PeerRejection.NoCertificate], sidecar.Refusals.Snapshot().Keys);
    }

    [Fact]
    public async Task WithoutJoinToken_StaysPlaintext_AndSaysSoOnce()
    {
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(new TestCa(), TimeSpan.FromHours(1)), app.Port, MtlsMode.Strict, withToken: false);
        using var plain = new HttpClient();

        // No identity, so nothing to label and no TLS: exactly what the app got before mTLS.
        Assert.Equal("HTTP/1.1|", await plain.GetStringAsync($"http://127.0.0.1:{sidecar.InboundPort}/"));
        Assert.False(sidecar.Certificates.Enabled);
        Assert.Single(sidecar.Logs, line => line.StartsWith("mTLS is off", StringComparison.Ordinal));
    }
}

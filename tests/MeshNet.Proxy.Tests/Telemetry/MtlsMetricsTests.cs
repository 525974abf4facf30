using System.Net;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Tls;

namespace MeshNet.Proxy.Tests.Telemetry;

public sealed class MtlsMetricsTests
{
    [Fact]
    public async Task LabelsAnMtlsHop_OnBothSides_WithThePeerIdentityInbound()
    {
        using var ca = new TestCa();
        var certifier = new TestCaCertifier(ca, TimeSpan.FromHours(1));
        await using var app = await PeerEchoApp.StartAsync();
        await using var server = await MtlsSidecar.StartAsync(certifier, app.Port, MtlsMode.Strict);
        await using var client = await MtlsSidecar.StartAsync(certifier, 0, MtlsMode.Permissive, ns: "client", serviceAccount: "frontend");
        await client.PushAsync("2", MtlsMode.Permissive, OutboundMtlsTests.PostsCluster(server, app, "spiffe://cluster.local/ns/blog/sa/posts"));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await OutboundMtlsTests.SendAsync(client, HttpVersion.Version11)).Status);
        }

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var clientMetrics = Exposition.Parse(await http.GetStringAsync($"http://127.0.0.1:{client.AdminPort}/metrics"));
        var serverMetrics = Exposition.Parse(await http.GetStringAsync($"http://127.0.0.1:{server.AdminPort}/metrics"));

        Assert.Equal(3, clientMetrics.Sum("meshnet_requests_total", ("direction", "outbound"), ("destination_service", "posts"), ("code", "200"), ("tls", "true")));
        Assert.Equal(0, clientMetrics.Sum("meshnet_requests_total", ("tls", "false")));
        Assert.Equal(3, serverMetrics.Sum(
            "meshnet_requests_total", ("direction", "inbound"), ("source_workload", "frontend"), ("source_namespace", "client"), ("code", "200"), ("tls", "true")));
        Assert.True(serverMetrics.Sum("meshnet_tcp_connections_opened_total", ("direction", "inbound"), ("tls", "true")) >= 1);
        Assert.InRange(Assert.Single(clientMetrics.Named("meshnet_certificate_expiry_seconds")).Value, 3000, 3600);
    }
}

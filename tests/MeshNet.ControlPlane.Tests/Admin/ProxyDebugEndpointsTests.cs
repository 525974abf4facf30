using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using MeshNet.ControlPlane.Admin;
using MeshNet.ControlPlane.Discovery;
using MeshNet.ControlPlane.Hosting;
using MeshNet.Protocol.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests.Admin;

/// <summary>/debug/proxies status fields and the relay of a sidecar's admin config, against the real host and a real HTTP sidecar admin.</summary>
public sealed class ProxyDebugEndpointsTests : IAsyncLifetime
{
    private const string SidecarConfig =
        """{"versionInfo":"v7","virtualHosts":[{"name":"posts"}],"clusters":[{"name":"outbound|80||posts.blog.svc.cluster.local"}],"dnsZone":{"zone":"cluster.local"},"dnsServices":[],"dns":{"names":3}}""";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private ControlPlaneApp _app = null!;
    private WebApplication _sidecarAdmin = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        var options = ControlPlaneOptions.Parse(
            ["--config", Path.GetFullPath(Path.Combine(ControlPlaneHostTests.ManifestDirectory(), "..", "..", "..", "testdata", "manifests")), "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--debounce-quiet", "1ms", "--debounce-max", "20ms"]);
        _app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await _app.StartAsync(CancellationToken.None);
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _sidecarAdmin = builder.Build();
        _sidecarAdmin.MapGet("/config", () => Results.Text(SidecarConfig, "application/json"));
        _sidecarAdmin.MapGet("/certs", () => Results.Text("""{"enabled":false}""", "application/json"));
        await _sidecarAdmin.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _sidecarAdmin.DisposeAsync();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Lists_AdminAddress_SyncedStatus_AndRelaysConfigSections()
    {
        var sidecarAdmin = new Uri(_sidecarAdmin.Urls.First()).Authority;
        using var channel = GrpcChannel.ForAddress($"http://{_app.GrpcEndPoint}");
        using var call = new Protocol.V1.Discovery.DiscoveryClient(channel).Stream();
        using var deadline = new CancellationTokenSource(Deadline);
        var node = DiscoveryHarness.Node("tools-1", "app=tools");
        node.AdminAddress = sidecarAdmin;
        await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = node });
        Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
        var full = call.ResponseStream.Current;
        await call.RequestStream.WriteAsync(new DiscoveryRequest { VersionInfo = full.VersionInfo, ResponseNonce = full.Nonce });

        JsonElement proxy;
        do
        {
            var proxies = await _admin.GetFromJsonAsync<JsonElement>("/debug/proxies", deadline.Token);
            proxy = proxies.EnumerateArray().Single();
        }
        while (proxy.GetProperty("status").GetString() != "SYNCED" || proxy.GetProperty("adminAddress").ValueKind == JsonValueKind.Null);

        Assert.Equal(sidecarAdmin, proxy.GetProperty("adminAddress").GetString());
        Assert.True(proxy.GetProperty("secondsSinceAck").GetInt64() >= 0);

        var clusters = await _admin.GetFromJsonAsync<JsonElement>("/debug/proxies/blog/tools-1/config?section=clusters", deadline.Token);
        Assert.Equal(["versionInfo", "clusters"], clusters.EnumerateObject().Select(p => p.Name));
        Assert.Equal("v7", clusters.GetProperty("versionInfo").GetString());

        var dns = await _admin.GetFromJsonAsync<JsonElement>("/debug/proxies/blog/tools-1/config?section=dns", deadline.Token);
        Assert.Equal(["versionInfo", "dnsZone", "dnsServices", "dns"], dns.EnumerateObject().Select(p => p.Name));

        var certs = await _admin.GetFromJsonAsync<JsonElement>("/debug/proxies/blog/tools-1/config?section=certs", deadline.Token);
        Assert.False(certs.GetProperty("enabled").GetBoolean());

        var whole = await _admin.GetFromJsonAsync<JsonElement>("/debug/proxies/blog/tools-1/config", deadline.Token);
        Assert.Equal(3, whole.GetProperty("dns").GetProperty("names").GetInt32());

        var unknownSection = await _admin.GetAsync("/debug/proxies/blog/tools-1/config?section=listeners", deadline.Token);
        Assert.Equal(HttpStatusCode.BadRequest, unknownSection.StatusCode);
        Assert.Contains("routes", await unknownSection.Content.ReadAsStringAsync(deadline.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers404_ForASidecarThatIsNotConnected()
    {
        var response = await _admin.GetAsync("/debug/proxies/blog/nobody/config?section=routes");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("no sidecar blog/nobody is connected", body.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("v2", "v2", null, "SYNCED")]
    [InlineData("v1", "v2", null, "STALE")]
    [InlineData("", "", null, "STALE")]
    [InlineData("v1", "v2", "v2", "NACKED")]
    [InlineData("v2", "v2", "v1", "SYNCED")]
    public void Derives_SyncStatus_FromSentAckedAndNackedVersions(string acked, string sent, string? nacked, string expected)
    {
        var view = View(acked, sent, nacked, ackedAt: null);

        Assert.Equal(expected, ProxyDebugView.StatusOf(view));
    }

    [Fact]
    public void Counts_WholeSecondsSinceTheLastAck()
    {
        var view = ProxyDebugView.From(View("v1", "v1", null, Now.AddSeconds(-42.7)), "127.0.1.5:15000", Now);

        Assert.Equal(42, view.SecondsSinceAck);
        Assert.Null(ProxyDebugView.From(View("", "v1", null, null), null, Now).SecondsSinceAck);
    }

    private static ProxyStatusView View(string acked, string sent, string? nacked, DateTimeOffset? ackedAt) =>
        new("tools-1", "blog", "127.0.1.5", 15006, ImmutableDictionary<string, string>.Empty, "default", true, Now, acked, sent,
            nacked is null ? null : new NackRecord(nacked, "n1", "bad route", Now), ackedAt);
}

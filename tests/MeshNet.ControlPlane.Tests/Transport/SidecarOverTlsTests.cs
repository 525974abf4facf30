using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace MeshNet.ControlPlane.Tests.Transport;

/// <summary>
/// A real sidecar against a real control plane's TLS port: certified and streaming with the right bundle, refusing a
/// control plane its bundle does not vouch for, and never sending a join token in clear off this host.
/// </summary>
public sealed class SidecarOverTlsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Certifies_AndStreams_OverHttps_WithTheControlPlanesBundle()
    {
        await using var cp = await TransportHarness.StartAsync();
        using var app = new TcpListener(IPAddress.Loopback, 0);
        app.Start();
        using var proxy = StartSidecar(cp, $"https://127.0.0.1:{cp.GrpcPort}", cp.BundlePath, app);

        var admin = await AdminAsync(proxy);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var identity = await PollAsync(async () => Json(await http.GetStringAsync($"http://{admin}/certs")).GetProperty("identity").GetString());
        var registered = await PollAsync(async () => (await http.GetStringAsync($"http://{cp.App.AdminEndPoint}/debug/proxies")).Contains("\"posts-0\"", StringComparison.Ordinal) ? "yes" : null);
        var version = await PollAsync(async () => Json(await http.GetStringAsync($"http://{admin}/config")).TryGetProperty("versionInfo", out var v) && v.GetString() is { Length: > 0 } s ? s : null);
        Assert.Equal("spiffe://cluster.local/ns/blog/sa/posts", identity);
        Assert.Equal("yes", registered);
        Assert.NotEmpty(version!);
    }

    [Fact]
    public async Task Refuses_AControlPlane_ThatDoesNotChainToItsBundle()
    {
        await using var cp = await TransportHarness.StartAsync();
        await using var impostor = await TransportHarness.StartAsync();
        using var app = new TcpListener(IPAddress.Loopback, 0);
        app.Start();
        using var proxy = StartSidecar(impostor, $"https://127.0.0.1:{impostor.GrpcPort}", cp.BundlePath, app);
        var admin = await AdminAsync(proxy);

        var refusal = await proxy.WaitForLogAsync("Refused the control plane", Deadline);

        Assert.Contains("does not chain to --control-plane-ca", refusal, StringComparison.Ordinal);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(JsonValueKind.Null, Json(await http.GetStringAsync($"http://{admin}/certs")).GetProperty("identity").ValueKind);
        Assert.DoesNotContain("\"posts-0\"", await http.GetStringAsync($"http://{impostor.App.AdminEndPoint}/debug/proxies"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_ToStart_WithAJoinToken_ForAPlaintextControlPlaneOffThisHost()
    {
        using var proxy = ProxyProcess.Start(
            new Dictionary<string, string> { ["MESHNET_JOIN_TOKEN"] = "mnjt_secret" },
            "--control-plane", "http://192.0.2.200:15010", "--inbound", "127.0.0.1:0", "--outbound", "127.0.0.1:0", "--admin", "127.0.0.1:0");

        var line = await proxy.WaitForLogAsync("meshnet-proxy:", Deadline);

        Assert.Equal(2, await proxy.ExitCodeAsync(Deadline));
        Assert.Equal(
            "meshnet-proxy: refusing to send the join token over plaintext to the non-loopback control plane http://192.0.2.200:15010: use https:// with --control-plane-ca (the control plane writes its bundle to <state-dir>/ca-bundle.pem)",
            line);
    }

    private static ProxyProcess StartSidecar(TransportHarness cp, string url, string bundle, TcpListener app) => ProxyProcess.Start(
        new Dictionary<string, string> { ["MESHNET_JOIN_TOKEN"] = cp.Token(), ["MESHNET_CONTROL_PLANE_CA"] = bundle },
        "--control-plane", url, "--name", "posts-0", "--namespace", "blog", "--service-account", "posts",
        "--app-port", ((IPEndPoint)app.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--inbound", "127.0.0.1:0", "--outbound", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--dns", "off", "--mark", "0");

    private static async Task<string> AdminAsync(ProxyProcess proxy)
    {
        var ready = await proxy.ReadLineAsync(Deadline);
        Assert.StartsWith("meshnet-proxy ready ", ready, StringComparison.Ordinal);
        return ready!.Split(' ').Single(f => f.StartsWith("admin=", StringComparison.Ordinal))["admin=".Length..];
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    /// <summary>Polls until <paramref name="probe"/> gives a value (end-to-end: a deadline, no fixed sleep).</summary>
    private static async Task<string?> PollAsync(Func<Task<string?>> probe)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "condition not met within 60 s");
            await Task.Delay(100);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using MeshNet.Proxy.Gateway;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Tests.Infrastructure;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests.Gateway;

/// <summary>
/// A sidecar in gateway role (--expose): the real composition root with two gateway listeners on 127.0.0.1:0,
/// one for posts.blog:80 and one for users.auth:80, each Service backed by a real Kestrel app.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private readonly List<Backend> _backends = [];
    private ProxyApplication _proxy = null!;

    public FakeControlPlane ControlPlane { get; private set; } = null!;

    /// <summary>Gateway listener for posts.blog:80, then users.auth:80, then nothing.example:80 (no such Service).</summary>
    public IReadOnlyList<IPEndPoint> Exposed => _proxy.Endpoints.Exposed;

    public string ReadyLine => _proxy.ReadyLine();

    public async Task InitializeAsync()
    {
        var posts = await Backend.StartAsync("posts");
        var users = await Backend.StartAsync("users");
        _backends.AddRange([posts, users]);
        ControlPlane = await FakeControlPlane.StartAsync();
        var any = new IPEndPoint(IPAddress.Loopback, 0);
        _proxy = ProxyApplication.Create(
            new ProxyOptions
            {
                ControlPlane = ControlPlane.Address,
                Name = "meshnet-gateway",
                Inbound = any,
                Outbound = any,
                Admin = any,
                Dns = any,
                DnsUpstream = new IPEndPoint(IPAddress.Loopback, 9),
                Exposes =
                [
                    new ExposedListener(any, "posts.blog:80"),
                    new ExposedListener(any, "users.auth:80"),
                    new ExposedListener(any, "nothing.example:80"),
                ],
            },
            _ => { });
        await _proxy.StartAsync();
        await ControlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(ControlPlane, Full("1",
            [VirtualHost("blog", "posts", 80, "default"), VirtualHost("auth", "users", 80, "default")],
            [Cluster("blog", "posts", 80, Plain(posts.Port)), Cluster("auth", "users", 80, Plain(users.Port))]));
    }

    public async Task DisposeAsync()
    {
        await _proxy.StopAsync();
        await _proxy.DisposeAsync();
        await ControlPlane.DisposeAsync();
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }
}

public sealed class GatewayListenerTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Routes_TwoKeepAliveRequestsOnOneConnection_WithTheClientsHostUnchanged()
    {
        var connections = 0;
        using var client = CountingClient(() => Interlocked.Increment(ref connections));

        var first = await GetAsync(client, fixture.Exposed[0], "shop.example.com", HttpVersion.Version11);
        var second = await GetAsync(client, fixture.Exposed[0], "shop.example.com", HttpVersion.Version11, "/second");

        Assert.Equal((HttpStatusCode.OK, "posts|HTTP/1.1|shop.example.com||/"), first);
        Assert.Equal((HttpStatusCode.OK, "posts|HTTP/1.1|shop.example.com||/second"), second);
        Assert.Equal(1, connections);
    }

    [Fact]
    public async Task Routes_H2cPriorKnowledge_AsHttp2Upstream()
    {
        var connections = 0;
        using var client = CountingClient(() => Interlocked.Increment(ref connections));

        var first = await GetAsync(client, fixture.Exposed[1], "api.example.com", HttpVersion.Version20);
        var second = await GetAsync(client, fixture.Exposed[1], "api.example.com", HttpVersion.Version20, "/again");

        Assert.Equal((HttpStatusCode.OK, "users|HTTP/2|api.example.com||/"), first);
        Assert.Equal((HttpStatusCode.OK, "users|HTTP/2|api.example.com||/again"), second);
        Assert.Equal(1, connections);
    }

    [Fact]
    public async Task Routes_ByListenerNotByHost()
    {
        using var client = CountingClient(() => { });

        var (status, body) = await GetAsync(client, fixture.Exposed[1], "posts.blog", HttpVersion.Version11);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("users|", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_ListenerForUnknownService_WithNoRoute()
    {
        using var client = CountingClient(() => { });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{fixture.Exposed[2]}/");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no-route", response.Headers.GetValues("x-meshnet-error").Single());
    }

    [Fact]
    public void ReadyLine_ListsTheBoundGatewayListeners()
    {
        Assert.All(fixture.Exposed, e => Assert.NotEqual(0, e.Port));
        Assert.EndsWith($" exposed={string.Join(',', fixture.Exposed)}", fixture.ReadyLine, StringComparison.Ordinal);
    }

    private static HttpClient CountingClient(Action onConnect) =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                onConnect();
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { Timeout = TimeSpan.FromSeconds(15) };

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, IPEndPoint listener, string host, Version version, string path = "/")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{listener}{path}")
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

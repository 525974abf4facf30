using System.Net;
using MeshNet.Proxy.Tests.Infrastructure;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests;

/// <summary>
/// One sidecar in namespace "blog" with Services posts.blog (port 80, plus ClusterIP 10.96.0.12), users.auth
/// (port 80) and admin.blog (port 8080), each backed by a real Kestrel app.
/// </summary>
public sealed class RoutingFixture : IAsyncLifetime
{
    public FakeControlPlane ControlPlane { get; private set; } = null!;

    public Sidecar Sidecar { get; private set; } = null!;

    private readonly List<Backend> _backends = [];

    public async Task InitializeAsync()
    {
        var posts = await Backend.StartAsync("posts");
        var users = await Backend.StartAsync("users");
        var admin = await Backend.StartAsync("admin");
        _backends.AddRange([posts, users, admin]);
        ControlPlane = await FakeControlPlane.StartAsync();
        Sidecar = await Sidecar.StartAsync(ControlPlane);
        await ControlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(ControlPlane, Full("1",
            [VirtualHost("blog", "posts", 80, "blog", "10.96.0.12:80"), VirtualHost("auth", "users", 80, "blog"), VirtualHost("blog", "admin", 8080, "blog")],
            [Cluster("blog", "posts", 80, Plain(posts.Port)), Cluster("auth", "users", 80, Plain(users.Port)), Cluster("blog", "admin", 8080, Plain(admin.Port))]));
    }

    public async Task DisposeAsync()
    {
        await Sidecar.DisposeAsync();
        await ControlPlane.DisposeAsync();
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }
}

public sealed class OutboundRoutingTests(RoutingFixture fixture) : IClassFixture<RoutingFixture>
{
    [Theory]
    [InlineData("posts", "posts")]
    [InlineData("posts:80", "posts")]
    [InlineData("posts.blog", "posts")]
    [InlineData("posts.blog.svc", "posts")]
    [InlineData("posts.blog.svc.cluster.local", "posts")]
    [InlineData("posts.blog.svc.cluster.local:80", "posts")]
    [InlineData("posts.blog.svc.cluster.local.", "posts")]
    [InlineData("posts.blog.svc.cluster.local.:80", "posts")]
    [InlineData("POSTS.Blog", "posts")]
    [InlineData("10.96.0.12", "posts")]
    [InlineData("10.96.0.12:80", "posts")]
    [InlineData("users.auth", "users")]
    [InlineData("users.auth.svc.cluster.local:80", "users")]
    [InlineData("admin:8080", "admin")]
    [InlineData("admin.blog:8080", "admin")]
    [InlineData("users", null)]
    [InlineData("posts:8080", null)]
    [InlineData("admin", null)]
    [InlineData("posts.other", null)]
    [InlineData("10.96.0.13", null)]
    public async Task Routes_ByHost(string host, string? expectedBackend)
    {
        var (status, body, error, _) = await fixture.Sidecar.OutboundAsync(host, "/articles/1");

        if (expectedBackend is null)
        {
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("no-route", error);
            return;
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(error);
        Assert.Equal($"{expectedBackend}|HTTP/1.1|{host}||/articles/1", body);
    }

    [Theory]
    [InlineData("posts.blog")]
    [InlineData("posts.blog.svc.cluster.local")]
    public async Task Routes_AbsoluteFormTarget_AsAnHttpProxy(string host)
    {
        using var client = new HttpClient(new HttpClientHandler
        {
            Proxy = new WebProxy($"http://127.0.0.1:{fixture.Sidecar.OutboundPort}"),
            UseProxy = true,
        });

        var body = await client.GetStringAsync($"http://{host}/feed?page=2");

        Assert.Equal($"posts|HTTP/1.1|{host}||/feed", body);
    }

    [Fact]
    public async Task Routes_H2cPriorKnowledge_AndForwardsAsHttp2()
    {
        var (status, body, _, version) = await fixture.Sidecar.OutboundAsync("posts.blog", "/x", HttpVersion.Version20);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpVersion.Version20, version);
        Assert.Equal("posts|HTTP/2|posts.blog||/x", body);
    }

    [Fact]
    public async Task UnknownHost_Over_H2c_Is404WithHeader()
    {
        var (status, _, error, version) = await fixture.Sidecar.OutboundAsync("nope.blog", "/", HttpVersion.Version20);

        Assert.Equal(HttpVersion.Version20, version);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("no-route", error);
    }

    [Fact]
    public async Task Admin_ReportsReady_AndTheAppliedConfig()
    {
        var ready = await fixture.Sidecar.Client.GetAsync($"http://127.0.0.1:{fixture.Sidecar.AdminPort}/ready");
        var live = await fixture.Sidecar.Client.GetAsync($"http://127.0.0.1:{fixture.Sidecar.AdminPort}/live");
        var config = await fixture.Sidecar.Client.GetStringAsync($"http://127.0.0.1:{fixture.Sidecar.AdminPort}/config");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Contains("\"versionInfo\": \"1\"", config, StringComparison.Ordinal);
        Assert.Contains("\"outbound|80||users.auth.svc.cluster.local\"", config, StringComparison.Ordinal);
    }
}

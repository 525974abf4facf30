using System.Collections.Immutable;
using System.Net;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Forwarding;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Resilience;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests.Resilience;

/// <summary>
/// The sidecar's real service composition (AddMeshProxy: YARP, config provider, route publisher, resilience,
/// client factory) serving the outbound handler on 127.0.0.1:0, with the clock a test chooses and config applied
/// directly (snapshot into the provider, as the config applier does) instead of through a discovery stream.
/// </summary>
public sealed class OutboundProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private ProxySnapshot _snapshot = ProxySnapshot.Empty;
    private int _version;

    private OutboundProxy(WebApplication app)
    {
        _app = app;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, MaxConnectionsPerServer = 1000 })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public int Port { get; private set; }

    public HttpClient Client { get; }

    internal ResilienceRegistry Resilience => _app.Services.GetRequiredService<ResilienceRegistry>();

    public static async Task<OutboundProxy> StartAsync(TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        var hostedBefore = builder.Services.Count(d => d.ServiceType == typeof(IHostedService));
        builder.Services.AddMeshProxy(new ProxyOptions
        {
            Name = "client-0",
            Namespace = "blog",
            Labels = ImmutableDictionary<string, string>.Empty,
            Inbound = new IPEndPoint(IPAddress.Loopback, 0),
            Outbound = new IPEndPoint(IPAddress.Loopback, 0),
            Admin = new IPEndPoint(IPAddress.Loopback, 0),
            DnsDisabled = true,
            Mark = 0,
        });
        // No discovery stream, probe or DNS proxy: the test applies config itself.
        foreach (var hosted in builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).Skip(hostedBefore).ToArray())
        {
            builder.Services.Remove(hosted);
        }

        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        var app = builder.Build();
        app.Run(app.Services.GetRequiredService<OutboundHandler>().InvokeAsync);
        app.UseRouting();
        app.MapReverseProxy();
        await app.StartAsync();
        return new OutboundProxy(app) { Port = new Uri(app.Urls.First()).Port };
    }

    /// <summary>Applies a full config with one virtual host per cluster (posts.blog:80 for the first) and waits until it serves.</summary>
    public async Task ApplyAsync(params Cluster[] clusters)
    {
        var version = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var virtualHosts = clusters.Select(c =>
        {
            var name = c.Service.Split('/')[1];
            return VirtualHost("blog", name, (int)c.Port, "blog");
        });
        var next = SnapshotUpdater.TryApply(_snapshot, Full(version, virtualHosts, clusters), out var error)
            ?? throw new InvalidOperationException(error);
        var outcome = _app.Services.GetRequiredService<RouteTablePublisher>().Expect(version);
        _app.Services.GetRequiredService<MeshProxyConfigProvider>().Update(next);
        Assert.Null(await outcome.WaitAsync(TimeSpan.FromSeconds(15)));
        _snapshot = next;
    }

    public async Task<Reply> SendAsync(string host = "posts.blog", HttpMethod? method = null, byte[]? body = null, string path = "/")
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, $"http://127.0.0.1:{Port}{path}");
        request.Headers.Host = host;
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        using var response = await Client.SendAsync(request);
        var error = response.Headers.TryGetValues("x-meshnet-error", out var values) ? values.Single() : null;
        return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), error);
    }

    /// <summary>Sends <paramref name="count"/> GETs to posts.blog one after another.</summary>
    public async Task<List<Reply>> SendManyAsync(int count)
    {
        var replies = new List<Reply>(count);
        for (var i = 0; i < count; i++)
        {
            replies.Add(await SendAsync());
        }

        return replies;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record Reply(int Status, string Body, string? Error);

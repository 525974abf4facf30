using System.Net;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Gateway;
using MeshNet.Proxy.Interception;
using MeshNet.Proxy.Telemetry;
using MeshNet.Proxy.Telemetry.Metrics;
using MeshNet.Proxy.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace MeshNet.Proxy.Hosting;

/// <summary>
/// The sidecar's composition root: one Kestrel server with the inbound, outbound and admin listeners, YARP fed by
/// <see cref="MeshProxyConfigProvider"/>, the discovery client and the readiness probe. Used by Program and, as
/// is, by the tests.
/// </summary>
internal sealed class ProxyApplication : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions[] _listenOptions;

    private ProxyApplication(ProxyOptions options, Action<ILoggingBuilder>? configureLogging, Action<IServiceCollection>? configureServices)
    {
        _listenOptions = new ListenOptions[3 + options.Exposes.Length];
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // Configuration comes from flags, not appsettings files: no content-root file watcher, which would
            // otherwise watch whatever directory the process was started in, recursively.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            // stdout carries only the ready line; logs go to stderr.
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        // Kestrel's startup warning that HTTP/2 needs TLS is wrong here (the h2c detector handles it), and per-request
        // hosting logs would put logging on the success path.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        // With this category enabled at any level, hosting starts an Activity per request (and HttpClient another, with
        // a traceparent of its own): about 2 KB and 12 % CPU per request for spans nobody exports. An incoming
        // traceparent still passes through unchanged; real tracing is configured explicitly when it is wanted.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // YARP logs every proxied request at Information: the sidecar reports failures itself (x-meshnet-error).
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        // The key ring is in memory on purpose (InMemoryXmlRepository); its "keys are not encrypted at rest" warning does not apply.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Required by the h2c detection (see Http2PriorKnowledgeDetector): take the client's ":scheme: http".
            kestrel.AllowAlternateSchemes = true;
            // A proxy must not cap what the app and its peers agree to send.
            kestrel.Limits.MaxRequestBodySize = null;
            TrafficDirection? inbound = options.Metrics ? TrafficDirection.Inbound : null;
            TrafficDirection? outbound = options.Metrics ? TrafficDirection.Outbound : null;
            Listen(kestrel, 0, options.Inbound, InterceptionMiddleware.UseInboundInterception, InboundMtlsMiddleware.UseInboundMtls, inbound);
            Listen(kestrel, 1, options.Outbound, InterceptionMiddleware.UseOutboundInterception, direction: outbound);
            Listen(kestrel, 2, options.Admin, static _ => { });
            for (var i = 0; i < options.Exposes.Length; i++)
            {
                var host = options.Exposes[i].Host;
                Listen(kestrel, 3 + i, options.Exposes[i].Listen, listen => listen.UseExposedHost(host), direction: outbound);
            }
        });

        // Before the defaults, which only fill what is not registered yet (tests put their own certifier here).
        configureServices?.Invoke(builder.Services);
        builder.Services.AddMeshProxy(options);

        _app = builder.Build();
        // Nothing else asks for the gauge: create it with the app so it reports from the start.
        _app.Services.GetRequiredService<Identity.CertificateMetrics>();
        var dispatcher = _app.Services.GetRequiredService<ListenerDispatcher>();
        _app.Run(dispatcher.InvokeAsync);

        // Routing runs after the terminal dispatcher, so never on a request: MapReverseProxy is here only because it
        // performs YARP's initial load of the config provider and starts listening for its changes.
        _app.UseRouting();
        _app.MapReverseProxy();
    }

    public ListenerEndpoints Endpoints => _app.Services.GetRequiredService<ListenerEndpoints>();

    public IServiceProvider Services => _app.Services;

    public static ProxyApplication Create(ProxyOptions options, Action<ILoggingBuilder>? configureLogging = null, Action<IServiceCollection>? configureServices = null) =>
        new(options, configureLogging, configureServices);

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var (inbound, outbound, admin) = (_listenOptions[0].IPEndPoint!, _listenOptions[1].IPEndPoint!, _listenOptions[2].IPEndPoint!);
        if (inbound.Port == outbound.Port || inbound.Port == admin.Port || outbound.Port == admin.Port)
        {
            // Port 0 on different addresses can yield the same number; the dispatcher could not tell them apart.
            throw new IOException($"listeners must bind distinct ports (inbound={inbound} outbound={outbound} admin={admin})");
        }

        var exposed = _listenOptions[3..].Select(l => l.IPEndPoint!).ToArray();
        if (exposed.FirstOrDefault(e => e.Port == inbound.Port || e.Port == outbound.Port || e.Port == admin.Port) is { } clash)
        {
            throw new IOException($"gateway listener {clash} got the port of another listener");
        }

        Endpoints.SetBound(inbound, outbound, admin, exposed);
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);

    /// <summary>
    /// "meshnet-proxy ready inbound=IP:PORT outbound=IP:PORT admin=IP:PORT", the line launchers wait for; a gateway
    /// appends " exposed=IP:PORT,IP:PORT" (the bound gateway listeners, in flag order).
    /// </summary>
    public string ReadyLine() =>
        $"meshnet-proxy ready inbound={Endpoints.Inbound} outbound={Endpoints.Outbound} admin={Endpoints.Admin}"
        + (Endpoints.Exposed.Count == 0 ? string.Empty : $" exposed={string.Join(',', Endpoints.Exposed)}");

    /// <param name="protocols">What follows interception; by default HTTP/1.1 and h2c prior knowledge on one cleartext port.</param>
    /// <param name="direction">Which TCP counters the listener's connections go to; null (admin) for none.</param>
    private void Listen(KestrelServerOptions kestrel, int index, IPEndPoint endPoint, Action<ListenOptions> interception, Action<ListenOptions>? protocols = null, TrafficDirection? direction = null) =>
        kestrel.Listen(endPoint, listen =>
        {
            // First, before anything reads bytes: a passed-through connection may be server-first.
            interception(listen);
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            (protocols ?? Http2PriorKnowledgeDetector.UseHttp2PriorKnowledgeDetection)(listen);
            if (direction is { } counted)
            {
                // Innermost: after TLS, so the counters know whether the connection is mTLS.
                listen.UseConnectionMetrics(counted);
            }

            _listenOptions[index] = listen;
        });
}

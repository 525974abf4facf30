using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Tests.Infrastructure;
using MeshNet.Proxy.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Tests.Tls;

/// <summary>
/// The real sidecar (ProxyApplication) with a join token, certified by a <see cref="TestCa"/> through an in-test
/// certifier, with its own fake control plane; log lines are kept for assertions.
/// </summary>
internal sealed class MtlsSidecar : IAsyncDisposable
{
    private readonly ProxyApplication _proxy;

    private MtlsSidecar(ProxyApplication proxy, FakeControlPlane controlPlane, ConcurrentQueue<string> logs)
    {
        _proxy = proxy;
        ControlPlane = controlPlane;
        Logs = logs;
    }

    public FakeControlPlane ControlPlane { get; }

    public ConcurrentQueue<string> Logs { get; }

    public int InboundPort => _proxy.Endpoints.InboundPort;

    public int OutboundPort => _proxy.Endpoints.OutboundPort;

    public int AdminPort => _proxy.Endpoints.AdminPort;

    public ICertificateSource Certificates => _proxy.Services.GetRequiredService<ICertificateSource>();

    public PeerRefusals Refusals => _proxy.Services.GetRequiredService<PeerRefusals>();

    public MeshCertificate Certificate => Certificates.Current ?? throw new InvalidOperationException("not certified");

    public static async Task<MtlsSidecar> StartAsync(ICertifier certifier, int appPort, MtlsMode mode, string ns = "blog", string serviceAccount = "posts", bool withToken = true)
    {
        var controlPlane = await FakeControlPlane.StartAsync();
        var logs = new ConcurrentQueue<string>();
        var options = new ProxyOptions
        {
            ControlPlane = controlPlane.Address,
            Name = $"{serviceAccount}-0",
            Namespace = ns,
            Labels = ImmutableDictionary<string, string>.Empty.Add("app", serviceAccount),
            ServiceAccount = serviceAccount,
            AppPort = appPort,
            Inbound = new IPEndPoint(IPAddress.Loopback, 0),
            Outbound = new IPEndPoint(IPAddress.Loopback, 0),
            Admin = new IPEndPoint(IPAddress.Loopback, 0),
            ProbeInterval = TimeSpan.FromMilliseconds(100),
            DnsDisabled = true,
            Mark = 0,
            JoinToken = withToken ? "test-token" : null,
        };
        var proxy = ProxyApplication.Create(
            options,
            logging => logging.AddProvider(new QueueLoggerProvider(logs)).SetMinimumLevel(LogLevel.Information),
            services => services.AddSingleton(certifier));
        await proxy.StartAsync();
        var sidecar = new MtlsSidecar(proxy, controlPlane, logs);
        if (withToken)
        {
            await sidecar.WaitForCertificateAsync();
        }

        await sidecar.PushAsync("1", mode);
        return sidecar;
    }

    /// <summary>A full-state config with this inbound mode and the given clusters (served under their own hosts).</summary>
    public Task PushAsync(string version, MtlsMode mode, params Cluster[] clusters)
    {
        var hosts = clusters.Select(c => MeshConfig.VirtualHost(c.Service.Split('/')[0], c.Service.Split('/')[1], (int)c.Port, "client"));
        return Sidecar.AcceptAsync(ControlPlane, MeshConfig.Full(version, hosts, clusters, new Inbound { DefaultPort = (uint)_proxy.Services.GetRequiredService<ProxyOptions>().AppPort, Mtls = mode }));
    }

    public async Task WaitForCertificateAsync()
    {
        var renewer = _proxy.Services.GetRequiredService<CertificateRenewer>();
        var certified = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        renewer.StatusChanged += status =>
        {
            if (status.Failures == 0)
            {
                certified.TrySetResult();
            }
        };
        if (Certificates.Current is null)
        {
            await certified.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
    }

    /// <summary>A client with its own certificate (or none), trusting the given roots, opening a new connection per request when asked.</summary>
    public static HttpClient MtlsClient(X509Certificate2? clientCertificate, X509Certificate2 root, bool newConnectionEachRequest = false) =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionLifetime = newConnectionEachRequest ? TimeSpan.Zero : Timeout.InfiniteTimeSpan,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls13,
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate!,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && ChainsTo(certificate, root),
            },
        })
        { Timeout = TimeSpan.FromSeconds(15) };

    public async ValueTask DisposeAsync()
    {
        await _proxy.StopAsync();
        await _proxy.DisposeAsync();
        await ControlPlane.DisposeAsync();
    }

    private static bool ChainsTo(X509Certificate certificate, X509Certificate2 root)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class QueueLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
    }
}

/// <summary>The workload: answers "protocol|x-meshnet-peer" for every request, on 127.0.0.1:0 (HTTP/1.1 and h2c).</summary>
internal sealed class PeerEchoApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PeerEchoApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<PeerEchoApp> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AllowAlternateSchemes = true;
            k.Listen(IPAddress.Loopback, 0, l =>
            {
                l.Protocols = HttpProtocols.Http1AndHttp2;
                l.UseHttp2PriorKnowledgeDetection();
            });
        });
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync($"{context.Request.Protocol}|{context.Request.Headers[MeshPeer.Header]}"));
        await app.StartAsync();
        return new PeerEchoApp(app, new Uri(app.Urls.First()).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

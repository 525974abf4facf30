using System.Net;
using MeshNet.ControlPlane.Admin;
using MeshNet.ControlPlane.ClusterDns;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Discovery;
using MeshNet.ControlPlane.Identity;
using MeshNet.ControlPlane.Injection;
using MeshNet.ControlPlane.Stats;
using MeshNet.ControlPlane.Telemetry.Metrics;
using MeshNet.ControlPlane.Tracking;
using MeshNet.ControlPlane.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace MeshNet.ControlPlane.Hosting;

/// <summary>
/// The composition root: one Kestrel host with an HTTP/2-only gRPC listener and an HTTP/1.1 admin listener,
/// the change tracker, the update loop and the manifest source. Program and the in-process tests both use it.
/// </summary>
internal sealed class ControlPlaneApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ControlPlaneOptions _options;
    // Filled by Kestrel's Listen callbacks when the server starts; Kestrel then updates each
    // IPEndPoint to the bound address, which is how port 0 becomes a real port.
    private readonly ListenOptions[] _listeners;
    private IAsyncDisposable? _manifestSource;

    private ControlPlaneApp(WebApplication app, ControlPlaneOptions options, ListenOptions[] listeners)
    {
        _app = app;
        _options = options;
        _listeners = listeners;
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>Where sources deliver resources; tests feed it directly.</summary>
    public MeshChangeTracker Tracker => _app.Services.GetRequiredService<MeshChangeTracker>();

    public IMeshUpdatePipeline Pipeline => _app.Services.GetRequiredService<IMeshUpdatePipeline>();

    /// <summary>The bound gRPC endpoint (the real port when 0 was asked for); valid after <see cref="StartAsync"/>.</summary>
    public IPEndPoint GrpcEndPoint => _listeners[0].IPEndPoint!;

    public IPEndPoint AdminEndPoint => _listeners[1].IPEndPoint!;

    /// <summary>The bound webhook endpoint; null without --webhook.</summary>
    public IPEndPoint? WebhookEndPoint => _listeners[2]?.IPEndPoint;

    /// <param name="runUpdateLoop">False lets a test own the tracker's signal and flush the pipeline itself.</param>
    public static ControlPlaneApp Create(
        ControlPlaneOptions options, TimeProvider? timeProvider = null, Action<ILoggingBuilder>? logging = null, bool runUpdateLoop = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // Configuration comes from flags, not appsettings files: no content-root file watcher, which would
            // otherwise watch whatever directory the process was started in, recursively.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });

        // stdout carries exactly one line, the ready line that tools wait for; logs go to stderr.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // Per-request hosting logs (every admin scrape, every stream) would drown the control plane's own lines,
        // and gRPC reports a sidecar that simply went away as a read error with a stack trace: the stream
        // session logs the disconnect itself.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.Critical);
        logging?.Invoke(builder.Logging);
        var listeners = new ListenOptions[3];
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Grpc, l =>
            {
                l.Protocols = HttpProtocols.Http2;
                // TLS from the mesh CA and plaintext h2c on the one port (see --grpc-plaintext).
                GrpcTransportMiddleware.UseGrpcTransport(l);
                listeners[0] = l;
            });
            kestrel.Listen(options.Admin, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                listeners[1] = l;
            });
            if (options.Webhook.Listen is { } webhook)
            {
                kestrel.Listen(webhook, l =>
                {
                    WebhookTls.UseWebhookTls(l);
                    listeners[2] = l;
                });
            }
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddGrpc(o => o.Interceptors.Add<CertifyTransportGuard>());
        builder.Services.AddSingleton(timeProvider ?? TimeProvider.System);
        builder.Services.AddSingleton(options.Debounce);
        builder.Services.AddSingleton<MeshChangeTracker>();
        builder.Services.AddSingleton(new MeshConfigCompiler(options.ClusterDomain, options.Identity.TrustDomain));
        builder.Services.AddSingleton<Telemetry.Tracing.PushTracer>();
        builder.Services.AddSingleton<ProxySnapshotCache>();
        builder.Services.AddSingleton<ProxyRegistry>();
        builder.Services.AddSingleton(sp => new ControlPlaneReadiness(sp.GetRequiredService<TimeProvider>(), options.ResyncGrace));
        builder.Services.AddSingleton<DiscoveryDependencies>();
        builder.Services.AddSingleton(_ => new ServiceAdmission(options.Allocation));
        builder.Services.AddSingleton(sp => new ClusterDnsHost(
            options.Dns,
            options.Dns is null ? null : options.DnsUpstream ?? ResolvConf.FirstNameserver(),
            sp.GetRequiredService<MeshConfigCompiler>(),
            sp.GetRequiredService<ILoggerFactory>()));
        // The pipeline behind a decorator that times each flush for meshnet_control_compile_duration_seconds.
        builder.Services.AddControlPlaneMetrics<MeshUpdatePipeline>();
        builder.Services.AddMeshIdentity(options.Identity, options.Allocation.StateDirectory);
        builder.Services.AddKubernetesMode(options.Kubernetes);
        builder.Services.AddGrpcTransport(
            options.Transport, options.Grpc.Address, options.ClusterDomain, options.Allocation.StateDirectory, sp => sp.GetRequiredService<CertificateIssuer>().Authority);
        builder.Services.AddMeshStats(options.Stats);
        // The webhook serves the gRPC port's certificate: it already names meshnet-control.<ns>.svc, the webhook's host.
        builder.Services.AddInjectionWebhook(
            options.Webhook,
            options.Identity.TrustDomain,
            sp => sp.GetRequiredService<ServingCertificate>().Current.Context,
            sp => sp.GetRequiredService<CertificateIssuer>().Authority.TrustBundle);
        if (runUpdateLoop)
        {
            builder.Services.AddHostedService<MeshUpdateLoop>();
        }

        var web = builder.Build();
        web.MapGrpcService<DiscoveryService>();
        web.MapGrpcService<IdentityService>();
        web.MapAdminEndpoints();
        web.MapCertificateAuthorityEndpoints();
        if (options.Webhook.Listen is not null)
        {
            web.UseInjectionWebhook(() => listeners[2]?.IPEndPoint);
        }

        return new ControlPlaneApp(web, options, listeners);
    }

    /// <summary>Starts the listeners, loads the manifest directory, publishes the first snapshot and marks ready.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await StartListenersAsync(cancellationToken).ConfigureAwait(false);
        await LoadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// First half of <see cref="StartAsync"/>: listeners up, not ready yet. Health checks answer and sidecars may
    /// connect, but their first response waits for <see cref="LoadAsync"/> so it is never an empty mesh.
    /// </summary>
    internal async Task StartListenersAsync(CancellationToken cancellationToken)
    {
        // Kubernetes mode without --ca-cert: the CA Secret is read before anything needs the CA.
        if (_app.Services.GetService<CaSecretPreload>() is { } preload && _app.Services.GetRequiredService<IdentityOptions>().CaCertFile is null)
        {
            await preload.LoadAsync(cancellationToken).ConfigureAwait(false);
        }

        // The CA loads (or is generated and persisted) before any listener opens: a bad --ca-cert fails start-up
        // with one line instead of failing the first Certify call.
        _app.Services.GetRequiredService<CertificateIssuer>();
        // The serving certificate and <state-dir>/ca-bundle.pem exist before the port opens, so a tool that waits for
        // the ready line can read the bundle and connect over TLS at once.
        _app.Services.GetRequiredService<GrpcTransportRefresher>().RefreshNow();
        // Before any sidecar connects: every first response carries the bundle, and a CA reload pushes the new one.
        _app.Services.GetRequiredService<CertificateAuthorityProvider>().SubscribeTrustBundle(_app.Services.GetRequiredService<ProxySnapshotCache>().SetTrustBundle);
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cluster DNS listener; <see cref="ClusterDnsHost.LocalEndPoint"/> is null unless --dns was given.</summary>
    public ClusterDnsHost Dns => _app.Services.GetRequiredService<ClusterDnsHost>();

    /// <summary>Second half of <see cref="StartAsync"/>: the initial load, published in one batch, the cluster DNS listener, then ready.</summary>
    internal async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_options.ConfigDirectory is { } directory)
        {
            _manifestSource = await ManifestSourceWiring.StartAsync(
                directory,
                Tracker,
                _app.Services.GetRequiredService<ILoggerFactory>(),
                _app.Services.GetRequiredService<TimeProvider>(),
                cancellationToken).ConfigureAwait(false);
        }
        else if (_options.Kubernetes.Enabled)
        {
            // The first LIST waits out an unreachable API server; a SIGTERM meanwhile must still end the process.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(
                cancellationToken, _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            _manifestSource = await KubernetesModeWiring.StartSourceAsync(_app.Services, _options.Kubernetes, stopping.Token).ConfigureAwait(false);
        }

        Pipeline.Flush();
        // After the first flush, so the cluster DNS never answers NXDOMAIN for a Service that is merely not loaded yet.
        Dns.Start();
        _app.Services.GetRequiredService<ControlPlaneReadiness>().MarkReady();
    }

    /// <summary>The line tools wait for: actual bound ports.</summary>
    public string ReadyLine() => Dns.LocalEndPoint is { } dns
        ? $"meshnet-control ready grpc={GrpcEndPoint} admin={AdminEndPoint} dns={dns}{WebhookSuffix()}"
        : $"meshnet-control ready grpc={GrpcEndPoint} admin={AdminEndPoint}{WebhookSuffix()}";

    private string WebhookSuffix() => WebhookEndPoint is { } webhook ? $" webhook={webhook}" : string.Empty;

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_manifestSource is not null)
        {
            await _manifestSource.DisposeAsync().ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

using MeshNet.Proxy.ClusterDns;
using MeshNet.Proxy.Interception;
using MeshNet.Proxy.Admin;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Discovery;
using MeshNet.Proxy.Forwarding;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Tls;
using MeshNet.Proxy.Resilience;
using MeshNet.Proxy.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Hosting;

internal static class ProxyServiceCollectionExtensions
{
    /// <summary>Everything the sidecar runs: config pipeline into YARP, listeners' handlers, discovery and probing.</summary>
    public static IServiceCollection AddMeshProxy(this IServiceCollection services, ProxyOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ListenerEndpoints>();

        // Discovery responses -> ConfigApplier -> MeshProxyConfigProvider -> YARP -> RouteTablePublisher.
        services.AddSingleton<MeshProxyConfigProvider>();
        services.AddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<MeshProxyConfigProvider>());
        services.AddSingleton<ResilienceRegistry>();
        services.AddSingleton<RouteTablePublisher>();
        services.AddSingleton<IConfigChangeListener>(sp => sp.GetRequiredService<RouteTablePublisher>());
        services.AddSingleton<ConfigApplier>();
        services.AddSingleton<IForwarderHttpClientFactory, MeshForwarderHttpClientFactory>();
        services.AddReverseProxy();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new InMemoryXmlRepository());

        services.AddMeshIdentity();

        services.AddSingleton<SocketMarker>();
        services.AddSingleton<ControlPlaneTrust>();
        services.AddSingleton<TcpPassthrough>();
        services.AddSingleton<MeshTcpTunnel>();
        services.AddSingleton<MeshTcpTargets>();
        services.AddSingleton<InterceptionMiddleware>();
        services.AddSingleton<DnsProxy>();
        services.AddHostedService(sp => sp.GetRequiredService<DnsProxy>());

        services.AddMeshTelemetry();
        services.AddSingleton<Telemetry.Tracing.ProxyTracer>();
        services.AddSingleton<OutboundHandler>();
        services.AddSingleton<InboundHandler>();
        services.AddSingleton<AdminHandler>();
        services.AddSingleton<ListenerDispatcher>();

        services.AddSingleton<ReadinessProbe>();
        services.AddHostedService(sp => sp.GetRequiredService<ReadinessProbe>());
        services.AddHostedService<DiscoveryClient>();
        return services;
    }

    /// <summary>
    /// The sidecar's certificate (store, renewer, Certify client) and mTLS on both listeners. A test may register its
    /// own <see cref="ICertifier"/> first; the gRPC one is the default.
    /// </summary>
    public static IServiceCollection AddMeshIdentity(this IServiceCollection services)
    {
        services.AddSingleton<CertificateStore>();
        services.AddSingleton<ICertificateSource>(sp => sp.GetRequiredService<CertificateStore>());
        services.TryAddSingleton<ICertifier, GrpcCertifier>();
        services.AddSingleton<CertificateRenewer>(sp => new CertificateRenewer(
            sp.GetRequiredService<CertificateStore>(),
            sp.GetRequiredService<ICertifier>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<CertificateRenewer>>()));
        services.AddHostedService(sp => sp.GetRequiredService<CertificateRenewer>());
        services.AddHostedService<TrustBundleFollower>();
        services.AddMetrics();
        services.AddSingleton<CertificateMetrics>();

        services.AddSingleton<PeerRefusals>();
        services.AddSingleton<PeerCertificateValidator>();
        services.AddSingleton<InboundTlsOptions>();
        services.AddSingleton<InboundMtlsMiddleware>();
        services.AddSingleton<EndpointIdentities>();
        services.AddSingleton<OutboundTlsConnector>();
        return services;
    }
}

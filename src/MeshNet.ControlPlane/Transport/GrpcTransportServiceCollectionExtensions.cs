using System.Net;
using MeshNet.ControlPlane.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Transport;

internal static class GrpcTransportServiceCollectionExtensions
{
    /// <summary>
    /// TLS on the gRPC port: the serving certificate (from the CA in force), the bundle file in the state directory,
    /// the refresher and the connection middleware. Certify's plaintext guard is a gRPC interceptor, added where gRPC is.
    /// </summary>
    /// <param name="authority">The CA in force, asked on every check so a replaced CA is noticed.</param>
    public static IServiceCollection AddGrpcTransport(
        this IServiceCollection services,
        GrpcTransportOptions options,
        IPAddress listenAddress,
        string clusterDomain,
        string? stateDirectory,
        Func<IServiceProvider, CertificateAuthority> authority)
    {
        services.AddSingleton(options);
        services.AddSingleton(sp => new ServingCertificate(
            () => authority(sp),
            sp.GetRequiredService<IdentityOptions>(),
            options,
            clusterDomain,
            listenAddress,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ServingCertificate>>()));
        services.AddSingleton(sp => new GrpcTransportRefresher(
            sp.GetRequiredService<ServingCertificate>(),
            () => authority(sp),
            stateDirectory is null ? null : new CaBundleFile(Path.Combine(stateDirectory, GrpcTransportOptions.BundleFileName)),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<GrpcTransportRefresher>>()));
        services.AddHostedService(sp => sp.GetRequiredService<GrpcTransportRefresher>());
        services.AddSingleton<GrpcTransportMiddleware>();
        services.AddSingleton<CertifyTransportGuard>();
        return services;
    }
}

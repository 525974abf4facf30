using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Identity;

internal static class IdentityServiceCollectionExtensions
{
    /// <summary>
    /// The CA (and its reloader), the join token store and the issuer; the CA is loaded when first resolved (see
    /// ControlPlaneApp).
    /// </summary>
    /// <param name="stateDirectory">--state-dir: where the generated CA and the token hashes persist; null keeps them in memory.</param>
    public static IServiceCollection AddMeshIdentity(this IServiceCollection services, IdentityOptions options, string? stateDirectory)
    {
        services.AddSingleton(options);
        services.AddSingleton(sp => new CertificateAuthorityProvider(
            CertificateAuthorityLoader.Load(
                options,
                stateDirectory,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CertificateAuthority).FullName!)),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new CertificateAuthorityReloader(
            sp.GetRequiredService<CertificateAuthorityProvider>(),
            options,
            stateDirectory,
            sp.GetRequiredService<Tracking.MeshChangeTracker>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CertificateAuthorityReloader>>()));
        services.AddHostedService(sp => sp.GetRequiredService<CertificateAuthorityReloader>());
        services.AddSingleton(sp => new JoinTokenStore(stateDirectory, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CertificateIssuer>();
        return services;
    }
}

using k8s;
using MeshNet.ControlPlane.Identity;
using MeshNet.ControlPlane.Tracking;
using MeshNet.ControlPlane.Transport;
using MeshNet.Kubernetes.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Hosting;

/// <summary>Kubernetes mode: the API client, TokenReview for Certify, the CA Secret, and the API source in place of the manifest directory.</summary>
internal static partial class KubernetesModeWiring
{
    /// <summary>Reading (and maybe creating) the CA Secret is two or three small requests; a minute covers a slow API server.</summary>
    private static readonly TimeSpan CaSecretTimeout = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddKubernetesMode(this IServiceCollection services, KubernetesModeOptions options)
    {
        services.AddSingleton<AcceptanceReporting>();
        if (!options.Enabled)
        {
            return services;
        }

        // Replaces universal mode's allocating admission (the last registration is the one resolved): the API server
        // has assigned every address already. Resolved once, when the update pipeline is built at start-up.
        services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServiceAdmission).FullName!);
            if (!options.IgnoredFlags.IsEmpty)
            {
                LogIgnoredFlags(logger, string.Join(", ", options.IgnoredFlags));
            }

            return ServiceAdmission.TrustingApiServer(logger);
        });

        // Created on first use: a bad kubeconfig fails start-up (LoadAsync) with KubeConfigException's message.
        services.AddSingleton<IKubernetes>(_ => KubernetesClientFactory.Create(new KubernetesApiOptions(options.Kubeconfig)));
        services.AddSingleton(sp => new TokenReviewClient(sp.GetRequiredService<IKubernetes>()));
        services.AddSingleton(sp => new TokenReviewCache(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ISidecarAuthenticator>(sp => new TokenReviewAuthenticator(
            sp.GetRequiredService<TokenReviewClient>(), options.TokenAudiences, sp.GetRequiredService<TokenReviewCache>(),
            sp.GetRequiredService<ILogger<TokenReviewAuthenticator>>()));
        AddCaSecret(services, options);
        return services;
    }

    /// <summary>
    /// Without --ca-cert/--ca-key the CA comes from the Secret (read, or generated and created), replacing the
    /// state-directory CA that AddMeshIdentity registered; the last registration is the one resolved. Its reloader
    /// watches no state-directory files (the CA is not there): it follows the Secret and keeps re-reading
    /// --ca-bundle-extra.
    /// </summary>
    private static void AddCaSecret(IServiceCollection services, KubernetesModeOptions options)
    {
        services.AddSingleton(sp => new CaSecretStore(sp.GetRequiredService<IKubernetes>()));
        services.AddSingleton(sp => new CaSecretSource(
            sp.GetRequiredService<CaSecretStore>(),
            sp.GetRequiredService<GrpcTransportOptions>().Namespace,
            options.CaSecret,
            sp.GetRequiredService<IdentityOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CertificateAuthority).FullName!)));
        services.AddSingleton(sp => new CaSecretPreload(sp.GetRequiredService<CaSecretSource>(), CaSecretTimeout));
        services.AddSingleton(sp =>
        {
            var identity = sp.GetRequiredService<IdentityOptions>();
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CertificateAuthority).FullName!);
            if (identity.CaCertFile is not null)
            {
                return new CertificateAuthorityProvider(CertificateAuthorityLoader.Load(identity, null, time, logger), time);
            }

            // ControlPlaneApp.StartListenersAsync preloads the Secret; resolving the provider any earlier is a bug.
            var preload = sp.GetRequiredService<CaSecretPreload>();
            return new CertificateAuthorityProvider(
                preload.Loaded ?? throw new InvalidOperationException($"{preload.Source.Description} was not loaded before the CA was needed"), time);
        });
        services.AddSingleton(sp => new CertificateAuthorityReloader(
            sp.GetRequiredService<CertificateAuthorityProvider>(),
            sp.GetRequiredService<IdentityOptions>(),
            stateDirectory: null,
            sp.GetRequiredService<MeshChangeTracker>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CertificateAuthorityReloader>>(),
            sp.GetRequiredService<IdentityOptions>().CaCertFile is null ? sp.GetRequiredService<CaSecretSource>() : null));
    }

    /// <summary>Delivers the API server's current state to the tracker before returning (retrying until it can), then keeps watching.</summary>
    public static async Task<IAsyncDisposable> StartSourceAsync(IServiceProvider services, KubernetesModeOptions options, CancellationToken cancellationToken)
    {
        var source = new KubernetesApiSource(
            services.GetRequiredService<IKubernetes>(),
            ownsClient: false,
            new KubernetesApiOptions(options.Kubeconfig),
            services.GetRequiredService<MeshChangeTracker>(),
            services.GetRequiredService<ILoggerFactory>(),
            services.GetRequiredService<TimeProvider>());
        if (source.Acceptance is { } acceptance)
        {
            services.GetRequiredService<AcceptanceReporting>().Attach(acceptance);
        }

        try
        {
            await source.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return source;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Flags}: ignored with --kubernetes; the API server assigns cluster IPs and node ports and the cluster's load balancer controller assigns ingress addresses")]
    private static partial void LogIgnoredFlags(ILogger logger, string flags);
}

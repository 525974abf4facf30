using k8s;
using MeshNet.ControlPlane.Identity;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Kubernetes.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Hosting;

/// <summary>Kubernetes mode: the API client, TokenReview for Certify, and the API source in place of the manifest directory.</summary>
internal static class KubernetesModeWiring
{
    public static IServiceCollection AddKubernetesMode(this IServiceCollection services, KubernetesModeOptions options)
    {
        services.AddSingleton<AcceptanceReporting>();
        if (!options.Enabled)
        {
            return services;
        }

        // Created on first use: a bad kubeconfig fails start-up (LoadAsync) with KubeConfigException's message.
        services.AddSingleton<IKubernetes>(_ => KubernetesClientFactory.Create(new KubernetesApiOptions(options.Kubeconfig)));
        services.AddSingleton(sp => new TokenReviewClient(sp.GetRequiredService<IKubernetes>()));
        services.AddSingleton<ISidecarAuthenticator>(sp => new TokenReviewAuthenticator(
            sp.GetRequiredService<TokenReviewClient>(), options.TokenAudiences, sp.GetRequiredService<ILogger<TokenReviewAuthenticator>>()));
        return services;
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
}

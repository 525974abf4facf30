using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using k8s;
using MeshNet.Kubernetes.Injection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Injection;

internal static class InjectionServiceCollectionExtensions
{
    /// <summary>The admission handler, the webhook's certificate and, with --webhook-configuration, the caBundle patcher.</summary>
    /// <param name="caCertificate">The serving certificate issued by the mesh CA (used unless --webhook-cert is given).</param>
    /// <param name="caRoots">The mesh CA's roots, for the caBundle.</param>
    public static IServiceCollection AddInjectionWebhook(
        this IServiceCollection services,
        WebhookOptions options,
        string trustDomain,
        Func<IServiceProvider, SslStreamCertificateContext> caCertificate,
        Func<IServiceProvider, IEnumerable<X509Certificate2>> caRoots)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(sp =>
        {
            var bundle = new RootsPem(() => caRoots(sp));
            return new AdmissionReviewHandler(options.Injection with { TrustDomain = trustDomain }, () => bundle.Current);
        });
        if (options.Listen is null)
        {
            return services;
        }

        if (options.CertFile is { } certFile && options.KeyFile is { } keyFile)
        {
            services.AddSingleton(sp => new WebhookCertificateFiles(
                certFile, keyFile, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookCertificateFiles>>()));
            services.AddSingleton(sp => new WebhookCertificateSource(() => sp.GetRequiredService<WebhookCertificateFiles>().Current));
        }
        else
        {
            services.AddSingleton(sp => new WebhookCertificateSource(() => caCertificate(sp)));
        }

        if (options.ConfigurationName is { } name)
        {
            services.AddHostedService(sp => new WebhookCaBundlePatcher(
                new k8s.Kubernetes(KubernetesClientConfiguration.IsInCluster()
                    ? KubernetesClientConfiguration.InClusterConfig()
                    : KubernetesClientConfiguration.BuildDefaultConfig()),
                name,
                () => caRoots(sp),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<WebhookCaBundlePatcher>>()));
        }

        return services;
    }

    /// <summary>The roots as PEM, converted again only when the set of roots (by thumbprint) changed.</summary>
    private sealed class RootsPem(Func<IEnumerable<X509Certificate2>> roots)
    {
        private (string Key, string Pem)? _last;

        public string Current
        {
            get
            {
                var now = roots().ToList();
                var key = string.Join(',', now.Select(r => r.Thumbprint));
                if (_last is { } last && last.Key == key)
                {
                    return last.Pem;
                }

                var pem = WebhookCaBundlePatcher.BundlePem(now);
                _last = (key, pem);
                return pem;
            }
        }
    }
}

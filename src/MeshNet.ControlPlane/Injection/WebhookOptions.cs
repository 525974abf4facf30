using System.Net;
using MeshNet.Kubernetes.Injection;

namespace MeshNet.ControlPlane.Injection;

/// <summary>The sidecar-injection webhook: where it listens over HTTPS, its certificate, and what it injects.</summary>
/// <param name="Listen">--webhook ADDR:PORT; null serves no webhook.</param>
/// <param name="CertFile">--webhook-cert: PEM serving certificate (cert-manager); null issues one from the mesh CA.</param>
/// <param name="KeyFile">--webhook-key: its PEM private key.</param>
/// <param name="ConfigurationName">
/// --webhook-configuration: the MutatingWebhookConfiguration whose caBundle the control plane keeps equal to the mesh
/// CA's roots (in-cluster); null leaves the caBundle alone (cert-manager's CA injector, or a hand-made one).
/// </param>
internal sealed record WebhookOptions(IPEndPoint? Listen, string? CertFile, string? KeyFile, string? ConfigurationName, InjectionSettings Injection)
{
    public static WebhookOptions Default { get; } = new(null, null, null, null, InjectionSettings.Default);

    /// <summary>An image reference: no whitespace, not empty.</summary>
    /// <exception cref="FormatException">Naming the flag.</exception>
    public static string ParseImage(string flag, string value) =>
        value.Length > 0 && !value.Any(char.IsWhiteSpace) ? value : throw new FormatException($"{flag}: expected an image reference, got \"{value}\"");

    /// <exception cref="FormatException">Naming the flag.</exception>
    public static Uri ParseUrl(string flag, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new FormatException($"{flag}: expected an http(s) URL, got \"{value}\"");

    /// <exception cref="FormatException">When the flags contradict each other.</exception>
    public void Validate()
    {
        if ((CertFile is null) != (KeyFile is null))
        {
            throw new FormatException("--webhook-cert and --webhook-key go together");
        }

        if (Listen is null && (CertFile is not null || ConfigurationName is not null))
        {
            throw new FormatException("--webhook-cert, --webhook-key and --webhook-configuration need --webhook ADDR:PORT");
        }

        if (CertFile is not null && ConfigurationName is not null)
        {
            throw new FormatException("--webhook-configuration patches the mesh CA into the caBundle; with --webhook-cert the certificate's issuer (cert-manager) owns the caBundle");
        }
    }
}

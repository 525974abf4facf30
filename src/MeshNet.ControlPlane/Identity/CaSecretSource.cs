using System.Text;
using k8s.Autorest;
using MeshNet.Kubernetes.Api;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// Kubernetes mode without --ca-cert/--ca-key: the CA lives in a Secret of the control plane's own namespace, so every
/// replica signs with the same one. A Secret already there (the operator's own CA, or one a replica generated) is used
/// as it is; when there is none, a root is generated (as for --state-dir) and created as the Secret. Create never
/// overwrites: when two replicas race, the API server lets one create win and answers the other 409, and the loser
/// drops its own root and reads the winner's back.
/// </summary>
internal sealed partial class CaSecretSource(CaSecretStore store, string ns, string name, IdentityOptions options, TimeProvider time, ILogger logger)
{
    public const string DefaultName = "meshnet-ca";

    private static readonly (string, string, string) Keys = (CaSecretStore.CertificateKey, CaSecretStore.PrivateKeyKey, CaSecretStore.IssuersKey);

    /// <summary>"Secret meshnet-system/meshnet-ca", as errors and logs name it.</summary>
    public string Description => $"Secret {ns}/{name}";

    /// <exception cref="InvalidDataException">
    /// The Secret is malformed (naming the Secret and the key), or the API refused to read or create it.
    /// </exception>
    public async Task<CertificateAuthority> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await store.ReadAsync(ns, name, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                var authority = Parse(existing);
                LogUsing(logger, authority.Signer.Subject, authority.SignerSha256, Description);
                return authority;
            }

            var root = CertificateAuthorityLoader.GenerateRoot(options.TrustDomain, time);
            var pem = CertificateAuthorityLoader.ExportPem(root);
            var data = new Dictionary<string, byte[]>(StringComparer.Ordinal)
            {
                [CaSecretStore.CertificateKey] = Encoding.ASCII.GetBytes(pem.Certificate),
                [CaSecretStore.PrivateKeyKey] = Encoding.ASCII.GetBytes(pem.Key),
            };
            if (await store.TryCreateAsync(ns, name, data, cancellationToken).ConfigureAwait(false))
            {
                var generated = CertificateAuthorityLoader.FromGeneratedRoot(root, options);
                LogGenerated(logger, root.Subject, generated.SignerSha256, Description);
                return generated;
            }

            root.Dispose();
            var winner = await store.ReadAsync(ns, name, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"{Description}: the API answered 409 AlreadyExists to its creation, then 404 NotFound: deleted meanwhile? Restart to generate it again");
            var adopted = Parse(winner);
            LogAdopted(logger, adopted.Signer.Subject, adopted.SignerSha256, Description);
            return adopted;
        }
        catch (HttpOperationException ex)
        {
            // 403 is the usual one: the Role that grants get/create on this Secret is missing or names another Secret.
            throw new InvalidDataException(
                $"{Description}: the API refused {ex.Request.Method} {ex.Request.RequestUri.AbsolutePath} with {(int)ex.Response.StatusCode} {ex.Response.ReasonPhrase}: needs RBAC get and create on secrets in {ns}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidDataException($"{Description}: cannot reach the API server: {ex.Message}", ex);
        }
    }

    private CertificateAuthority Parse(CaSecret secret)
    {
        var certificate = Text(secret, CaSecretStore.CertificateKey, required: true)!;
        var key = Text(secret, CaSecretStore.PrivateKeyKey, required: true)!;
        var issuers = Text(secret, CaSecretStore.IssuersKey, required: false);
        return CertificateAuthorityLoader.FromPem(certificate, key, issuers, options, Description, Keys, time);
    }

    private string? Text(CaSecret secret, string key, bool required)
    {
        if (secret.Data.TryGetValue(key, out var bytes) && bytes.Length > 0)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        return required
            ? throw new InvalidDataException(
                $"{Description}: no {key} in its data (type {secret.Type ?? "none"}): expected a {CaSecretStore.TlsType} Secret with {CaSecretStore.CertificateKey} and {CaSecretStore.PrivateKeyKey}, plus {CaSecretStore.IssuersKey} when the CA is an intermediate")
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "CA: signing with {Subject} (sha256 {Sha256}) from {Secret}")]
    private static partial void LogUsing(ILogger logger, string subject, string sha256, string secret);

    [LoggerMessage(Level = LogLevel.Information, Message = "CA: generated root {Subject} (sha256 {Sha256}); kept in {Secret}")]
    private static partial void LogGenerated(ILogger logger, string subject, string sha256, string secret);

    [LoggerMessage(Level = LogLevel.Information, Message = "CA: another replica created {Secret} first; signing with its root {Subject} (sha256 {Sha256})")]
    private static partial void LogAdopted(ILogger logger, string subject, string sha256, string secret);
}

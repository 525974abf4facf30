using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MeshNet.Kubernetes.Api;

/// <summary>A CA Secret's type and data, as the API returned them (values decoded from base64).</summary>
public sealed record CaSecret(string? Type, IReadOnlyDictionary<string, byte[]> Data);

/// <summary>
/// Reads and creates the Secret that holds the mesh CA (kubernetes.io/tls: tls.crt, tls.key, and ca.crt when the
/// signer is an intermediate). Create never overwrites: when another replica created the Secret first the API
/// answers 409 AlreadyExists and the caller reads the winner's back.
/// </summary>
public sealed class CaSecretStore(IKubernetes client)
{
    public const string TlsType = "kubernetes.io/tls";
    public const string CertificateKey = "tls.crt";
    public const string PrivateKeyKey = "tls.key";
    public const string IssuersKey = "ca.crt";

    /// <returns>Null when the Secret does not exist.</returns>
    /// <exception cref="HttpOperationException">Any other refusal (403 without RBAC get on secrets, 5xx).</exception>
    public async Task<CaSecret?> ReadAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            var secret = await client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new CaSecret(secret.Type, secret.Data is { } data ? new Dictionary<string, byte[]>(data, StringComparer.Ordinal) : new Dictionary<string, byte[]>(StringComparer.Ordinal));
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <returns>False when a Secret of that name already exists (409): it was left as it is.</returns>
    /// <exception cref="HttpOperationException">Any other refusal (403 without RBAC create on secrets, 5xx).</exception>
    public async Task<bool> TryCreateAsync(string ns, string name, IReadOnlyDictionary<string, byte[]> data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var secret = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = TlsType,
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["app.kubernetes.io/part-of"] = "meshnet",
                    ["app.kubernetes.io/managed-by"] = "meshnet-control",
                },
            },
            Data = new Dictionary<string, byte[]>(data, StringComparer.Ordinal),
        };
        try
        {
            await client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }
}

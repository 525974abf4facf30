using System.Security.Cryptography;
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
/// <para>
/// While running, the Secret is followed (<see cref="PollAsync"/>, driven by <see cref="CertificateAuthorityReloader"/>):
/// polled by GET rather than watched, because a GET by name is what the control plane's Role already grants (a watch
/// needs list and watch on secrets) and one small read every few seconds per replica costs the API server nothing.
/// A deleted Secret is an error, never a reason to generate a new root: that would split the mesh's trust.
/// </para>
/// </summary>
internal sealed partial class CaSecretSource(CaSecretStore store, string ns, string name, IdentityOptions options, TimeProvider time, ILogger logger)
{
    public const string DefaultName = "meshnet-ca";

    /// <summary>Optional: roots trusted besides the CA's own, as --ca-bundle-extra (phases 1 and 3 of a rotation).</summary>
    public const string ExtraRootsKey = "ca-bundle-extra.pem";

    private const string Absent = "absent";

    private static readonly (string, string, string, string) Keys =
        (CaSecretStore.CertificateKey, CaSecretStore.PrivateKeyKey, CaSecretStore.IssuersKey, ExtraRootsKey);

    // The Secret as last read and the hash of its content, swapped together.
    private Seen _seen = new(null, Absent);
    private int _pollFailing;

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
                Remember(existing);
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
                Remember(new CaSecret(CaSecretStore.TlsType, data));
                LogGenerated(logger, root.Subject, generated.SignerSha256, Description);
                return generated;
            }

            root.Dispose();
            var winner = await store.ReadAsync(ns, name, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"{Description}: the API answered 409 AlreadyExists to its creation, then 404 NotFound: deleted meanwhile? Restart to generate it again");
            var adopted = Parse(winner);
            Remember(winner);
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

    /// <summary>A hash of the Secret's type and data as last read ("absent" once it is gone); a change is a reason to reload.</summary>
    public string Fingerprint => Volatile.Read(ref _seen).Hash;

    /// <summary>
    /// Reads the Secret again and remembers what it holds. A failed read (API unreachable, RBAC) changes nothing: the
    /// last content read stays the one in force, and the failure is logged once until a read succeeds again.
    /// </summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        try
        {
            Remember(await store.ReadAsync(ns, name, cancellationToken).ConfigureAwait(false));
            if (Interlocked.Exchange(ref _pollFailing, 0) == 1)
            {
                LogPollRecovered(logger, Description);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever the failure (HTTP, timeout, an unreadable answer), following must not end: the next poll retries.
            if (Interlocked.Exchange(ref _pollFailing, 1) == 0)
            {
                LogPollFailed(logger, Description, ex.Message);
            }
        }
    }

    /// <summary>The CA the Secret holds as last read, validated as at start-up.</summary>
    /// <exception cref="InvalidDataException">Malformed, or deleted: naming the Secret and the key at fault.</exception>
    public CertificateAuthority Build() => Volatile.Read(ref _seen).Secret is { } secret
        ? Parse(secret)
        : throw new InvalidDataException(
            $"{Description}: not found (deleted?): still signing with the last good CA; a new root is not generated while running (it would split the mesh's trust): recreate the Secret");

    private void Remember(CaSecret? secret) => Volatile.Write(ref _seen, new Seen(secret, secret is null ? Absent : Hash(secret)));

    private static string Hash(CaSecret secret)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes((secret.Type ?? string.Empty) + "\n"));
        foreach (var (key, value) in secret.Data.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{key}\n{value.Length}\n"));
            hash.AppendData(value);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private CertificateAuthority Parse(CaSecret secret)
    {
        var certificate = Text(secret, CaSecretStore.CertificateKey, required: true)!;
        var key = Text(secret, CaSecretStore.PrivateKeyKey, required: true)!;
        var issuers = Text(secret, CaSecretStore.IssuersKey, required: false);
        var extraRoots = Text(secret, ExtraRootsKey, required: false);
        return CertificateAuthorityLoader.FromPem(certificate, key, issuers, extraRoots, options, Description, Keys, time);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "CA: cannot read {Secret} to follow it: {Reason}; still signing with the CA last read")]
    private static partial void LogPollFailed(ILogger logger, string secret, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "CA: reading {Secret} again")]
    private static partial void LogPollRecovered(ILogger logger, string secret);

    [LoggerMessage(Level = LogLevel.Information, Message = "CA: signing with {Subject} (sha256 {Sha256}) from {Secret}")]
    private static partial void LogUsing(ILogger logger, string subject, string sha256, string secret);

    [LoggerMessage(Level = LogLevel.Information, Message = "CA: generated root {Subject} (sha256 {Sha256}); kept in {Secret}")]
    private static partial void LogGenerated(ILogger logger, string subject, string sha256, string secret);

    [LoggerMessage(Level = LogLevel.Information, Message = "CA: another replica created {Secret} first; signing with its root {Subject} (sha256 {Sha256})")]
    private static partial void LogAdopted(ILogger logger, string subject, string sha256, string secret);

    private sealed record Seen(CaSecret? Secret, string Hash);
}

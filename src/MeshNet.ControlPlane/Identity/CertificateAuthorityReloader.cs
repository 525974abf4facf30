using System.Security.Cryptography;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// Reloads the CA when its files change: --ca-bundle-extra (phases 1 and 3 of a trust-anchor rotation) and
/// --ca-cert/--ca-key, or the state directory's CA (phase 2). The files are polled, and a change is applied only once
/// their content has stayed the same for one more poll, so an editor's truncate-then-write or a cert written a moment
/// before its key is not loaded half-way. A reload that fails validation keeps the CA in force, logs why and shows the
/// reason in /debug/errors until a good reload clears it. In Kubernetes mode with the CA in a Secret, the Secret is
/// read again every <see cref="SecretPollInterval"/> and its content counts as one more watched file.
/// </summary>
internal sealed partial class CertificateAuthorityReloader(
    CertificateAuthorityProvider provider,
    IdentityOptions options,
    string? stateDirectory,
    MeshChangeTracker tracker,
    TimeProvider time,
    ILogger<CertificateAuthorityReloader> logger,
    CaSecretSource? secret = null) : BackgroundService
{
    /// <summary>The origin of reload errors in /debug/errors.</summary>
    public const string ErrorOrigin = "identity";

    // A rotation phase is an operator action measured in minutes; a second to notice it is plenty and costs three
    // small file reads per second.
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>One GET of one small object per replica; the rotation phases it serves are minutes apart.</summary>
    public static readonly TimeSpan SecretPollInterval = TimeSpan.FromSeconds(2);

    private readonly IReadOnlyList<string> _files = CertificateAuthorityLoader.WatchedFiles(options, stateDirectory);
    private readonly Lock _reloadLock = new();
    private string? _applied;

    /// <summary>Reloads now, whatever the files' timestamps say. Returns null when the new CA is in force, else the reason it was refused.</summary>
    public string? Reload() => Reload(Fingerprint());

    /// <summary>As <see cref="Reload()"/>, reading the CA Secret (when the CA lives in one) first.</summary>
    public async Task<string?> ReloadAsync(CancellationToken cancellationToken)
    {
        if (secret is not null)
        {
            await secret.PollAsync(cancellationToken).ConfigureAwait(false);
        }

        return Reload();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_files.Count == 0 && secret is null)
        {
            return;
        }

        _applied ??= Fingerprint();
        string? pending = null;
        var secretPolled = time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(PollInterval, time, stoppingToken).ConfigureAwait(false);
                if (secret is not null && time.GetElapsedTime(secretPolled) >= SecretPollInterval)
                {
                    secretPolled = time.GetTimestamp();
                    await secret.PollAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var seen = Fingerprint();
            if (seen == Volatile.Read(ref _applied))
            {
                pending = null;
            }
            else if (seen == pending)
            {
                Reload(seen);
                pending = null;
            }
            else
            {
                pending = seen;
            }
        }
    }

    private string? Reload(string fingerprint)
    {
        lock (_reloadLock)
        {
            Volatile.Write(ref _applied, fingerprint);
            var previous = provider.Current;
            CertificateAuthority next;
            try
            {
                next = secret?.Build() ?? CertificateAuthorityLoader.Reload(options, stateDirectory, previous, time);
            }
            catch (InvalidDataException ex)
            {
                provider.Refused(ex.Message);
                tracker.ReportErrors(ErrorOrigin, [new ResourceError(ErrorOrigin, null, null, null, ex.Message)]);
                LogRefused(logger, ex.Message, previous.Signer.Subject, previous.SignerSha256);
                return ex.Message;
            }

            tracker.ReportErrors(ErrorOrigin, []);
            if (next.SignerSha256 == previous.SignerSha256 && next.PushedBundle.Equals(previous.PushedBundle))
            {
                return null;
            }

            provider.Replace(next);
            var subjects = string.Join(", ", next.TrustBundle.Select(r => r.Subject));
            LogReloaded(logger, next.Signer.Subject, next.SignerSha256, next.TrustBundle.Length, subjects);
            return null;
        }
    }

    /// <summary>
    /// The watched files' content hashes (and the Secret's, as last read); a file that cannot be read counts as its
    /// error, so its return is a change.
    /// </summary>
    private string Fingerprint() => FilesFingerprint() + (secret is null ? string.Empty : "|secret:" + secret.Fingerprint);

    private string FilesFingerprint() => string.Join('|', _files.Select(file =>
    {
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.GetType().Name;
        }
    }));

    [LoggerMessage(Level = LogLevel.Information, Message = "CA: reloaded; signing with {Subject} (sha256 {Sha256}); trust bundle of {Roots} roots: {Subjects}")]
    private static partial void LogReloaded(ILogger logger, string subject, string sha256, int roots, string subjects);

    [LoggerMessage(Level = LogLevel.Error, Message = "CA: reload refused, still signing with {Subject} (sha256 {Sha256}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason, string subject, string sha256);
}

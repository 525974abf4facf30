using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Identity;

/// <summary>What the renewer is doing, for the admin view and for tests that step it.</summary>
/// <param name="Failures">Consecutive failed attempts since the last certificate.</param>
/// <param name="NextAttemptAt">When the next Certify call is due.</param>
/// <param name="LastError">The last failure's reason, null after a success.</param>
internal sealed record RenewalStatus(int Failures, DateTimeOffset NextAttemptAt, string? LastError);

/// <summary>
/// Obtains the sidecar's certificate and renews it before it expires (<see cref="RenewalSchedule"/>), or sooner when
/// the control plane pushes a signer other than the one that issued the current leaf. Each renewal uses a new key.
/// While the signer cannot be reached, the current certificate keeps serving: it is replaced only by a newer valid
/// one, never removed.
/// </summary>
internal sealed partial class CertificateRenewer(
    CertificateStore store,
    ICertifier certifier,
    TimeProvider time,
    ILogger<CertificateRenewer> logger,
    Func<double>? uniform = null) : BackgroundService
{
    private readonly Func<double> _uniform = uniform ?? Random.Shared.NextDouble;
    private readonly Lock _gate = new();
    private RenewalStatus? _status;
    // Completed (and replaced) to wake the loop when an earlier attempt became due.
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _gate.
    private string? _pushedSigner;
    private string? _reissuedFor;
    private DateTimeOffset? _earlyAt;
    private DateTimeOffset _certifiedAt;

    /// <summary>Null until the first attempt finished.</summary>
    public RenewalStatus? Status => Volatile.Read(ref _status);

    /// <summary>Raised after every attempt, and when a signer change brings the next attempt forward.</summary>
    public event Action<RenewalStatus>? StatusChanged;

    /// <summary>
    /// The control plane's signer (lower-case hex SHA-256). When it is not the current leaf's issuer, a renewal is
    /// brought forward by <see cref="RenewalSchedule.SignerChangeDelay"/>, once per signer: the jitter spreads the
    /// sidecars' calls, and a leaf that somehow still comes from another signer does not start a loop.
    /// </summary>
    public void SignerPushed(string signerSha256)
    {
        ArgumentNullException.ThrowIfNull(signerSha256);
        if (signerSha256.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            _pushedSigner = signerSha256;
        }

        BringForwardIfSignerChanged();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!store.Enabled)
        {
            LogMtlsOff(logger);
            return;
        }

        var failures = 0;
        ECDsa? key = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                _earlyAt = null;
            }

            // One key per certificate: retries of the same renewal reuse it, a successful renewal retires it.
            key ??= CsrBuilder.NewKey();
            RenewalStatus status;
            try
            {
                var issued = await certifier.CertifyAsync(CsrBuilder.Build(key, store.Identity), stoppingToken).ConfigureAwait(false);
                var certificate = MeshCertificate.Create(store.Identity, key, issued);
                var now = time.GetUtcNow();
                lock (_gate)
                {
                    _certifiedAt = now;
                    if (certificate.IssuerSha256 == _pushedSigner)
                    {
                        // A signer change that arrived while this call was out is already honoured by its answer.
                        _earlyAt = null;
                    }
                }

                store.Set(certificate);
                key = null;
                failures = 0;
                var start = certificate.NotBefore > now ? certificate.NotBefore : now;
                var renewAt = RenewalSchedule.RenewAt(start, certificate.NotAfter, _uniform());
                status = new RenewalStatus(0, renewAt, null);
                LogIssued(logger, certificate.Id, certificate.NotAfter, renewAt, certificate.IssuerSha256);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                var now = time.GetUtcNow();
                var current = store.Current;
                var retryAt = now + RenewalSchedule.Backoff(failures, current is null ? TimeSpan.Zero : current.NotAfter - now);
                status = new RenewalStatus(failures, retryAt, ex.Message);
                if (current is not null)
                {
                    LogRenewalFailed(logger, failures, ex.Message, current.NotAfter, retryAt);
                }
                else
                {
                    LogFirstFailed(logger, failures, ex.Message, retryAt);
                }
            }

            // A push may have arrived while the call was out, or the new leaf may come from a signer other than the
            // pushed one: either brings the next attempt forward.
            BringForwardIfSignerChanged();
            if (!await WaitForNextAttemptAsync(status, stoppingToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Waits until the scheduled or a brought-forward attempt is due; false when stopping.</summary>
    private async Task<bool> WaitForNextAttemptAsync(RenewalStatus scheduled, CancellationToken stoppingToken)
    {
        var published = (RenewalStatus?)null;
        while (true)
        {
            var wake = Volatile.Read(ref _wake).Task;
            DateTimeOffset? early;
            lock (_gate)
            {
                early = _earlyAt;
            }

            var status = early is { } at && at < scheduled.NextAttemptAt ? scheduled with { NextAttemptAt = at } : scheduled;

            // The timer starts before anyone hears of the status, so an observer that moves the clock on (a test's
            // fake one) moves it for this wait too.
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var wait = Task.Delay(RenewalSchedule.DelayUntil(status.NextAttemptAt, time.GetUtcNow()), time, timer.Token);
            if (status != published)
            {
                Volatile.Write(ref _status, status);
                StatusChanged?.Invoke(status);
                published = status;
            }

            if (await Task.WhenAny(wait, wake).ConfigureAwait(false) == wake)
            {
                // Brought forward: drop this timer and start one for the earlier time.
                await timer.CancelAsync().ConfigureAwait(false);
                continue;
            }

            try
            {
                await wait.ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private void BringForwardIfSignerChanged()
    {
        var current = store.Current;
        DateTimeOffset at;
        string signer;
        lock (_gate)
        {
            if (current is null || _pushedSigner is null || current.IssuerSha256 == _pushedSigner || _reissuedFor == _pushedSigner)
            {
                return;
            }

            signer = _pushedSigner;
            _reissuedFor = signer;
            at = time.GetUtcNow() + RenewalSchedule.SignerChangeDelay(current.NotAfter - _certifiedAt, _uniform());
            _earlyAt = _earlyAt is { } earlier && earlier < at ? earlier : at;
        }

        LogSignerChanged(logger, signer, current.IssuerSha256 ?? "unknown", at);
        Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "mTLS is off: no join token (--join-token or MESHNET_JOIN_TOKEN), so inbound and outbound traffic stays plaintext")]
    private static partial void LogMtlsOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Certified as {Identity} until {NotAfter:o} by signer {Issuer}; renewing at {RenewAt:o}")]
    private static partial void LogIssued(ILogger logger, SpiffeId identity, DateTimeOffset notAfter, DateTimeOffset renewAt, string? issuer);

    [LoggerMessage(Level = LogLevel.Information, Message = "The control plane signs with {Signer} now, not {Issuer} that issued this sidecar's certificate: renewing at {At:o}")]
    private static partial void LogSignerChanged(ILogger logger, string signer, string issuer, DateTimeOffset at);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Certificate renewal failed ({Failures} in a row): {Reason}; the current certificate serves until {NotAfter:o}; retrying at {RetryAt:o}")]
    private static partial void LogRenewalFailed(ILogger logger, int failures, string reason, DateTimeOffset notAfter, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Certificate request failed ({Failures} in a row): {Reason}; no certificate yet, so no mTLS; retrying at {RetryAt:o}")]
    private static partial void LogFirstFailed(ILogger logger, int failures, string reason, DateTimeOffset retryAt);
}

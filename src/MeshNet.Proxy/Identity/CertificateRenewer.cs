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
/// Obtains the sidecar's certificate and renews it before it expires (<see cref="RenewalSchedule"/>). Each renewal
/// uses a new key. While the signer cannot be reached, the current certificate keeps serving: it is replaced only by
/// a newer valid one, never removed.
/// </summary>
internal sealed partial class CertificateRenewer(
    CertificateStore store,
    ICertifier certifier,
    TimeProvider time,
    ILogger<CertificateRenewer> logger,
    Func<double>? uniform = null) : BackgroundService
{
    private readonly Func<double> _uniform = uniform ?? Random.Shared.NextDouble;
    private RenewalStatus? _status;

    /// <summary>Null until the first attempt finished.</summary>
    public RenewalStatus? Status => Volatile.Read(ref _status);

    /// <summary>Raised after every attempt, with the schedule it produced.</summary>
    public event Action<RenewalStatus>? StatusChanged;

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
            // One key per certificate: retries of the same renewal reuse it, a successful renewal retires it.
            key ??= CsrBuilder.NewKey();
            RenewalStatus status;
            try
            {
                var issued = await certifier.CertifyAsync(CsrBuilder.Build(key, store.Identity), stoppingToken).ConfigureAwait(false);
                var certificate = MeshCertificate.Create(store.Identity, key, issued);
                store.Set(certificate);
                key = null;
                failures = 0;
                var renewAt = RenewalSchedule.RenewAt(certificate.NotBefore, certificate.NotAfter, _uniform());
                status = new RenewalStatus(0, renewAt, null);
                LogIssued(logger, certificate.Id, certificate.NotAfter, renewAt);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                var retryAt = time.GetUtcNow() + RenewalSchedule.Backoff(failures);
                status = new RenewalStatus(failures, retryAt, ex.Message);
                if (store.Current is { } current)
                {
                    LogRenewalFailed(logger, failures, ex.Message, current.NotAfter, retryAt);
                }
                else
                {
                    LogFirstFailed(logger, failures, ex.Message, retryAt);
                }
            }

            // The timer starts before anyone hears of the status, so an observer that moves the clock on (a test's
            // fake one) moves it for this wait too.
            var wait = Task.Delay(RenewalSchedule.DelayUntil(status.NextAttemptAt, time.GetUtcNow()), time, stoppingToken);
            Volatile.Write(ref _status, status);
            StatusChanged?.Invoke(status);
            try
            {
                await wait.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "mTLS is off: no join token (--join-token or MESHNET_JOIN_TOKEN), so inbound and outbound traffic stays plaintext")]
    private static partial void LogMtlsOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Certified as {Identity} until {NotAfter:o}; renewing at {RenewAt:o}")]
    private static partial void LogIssued(ILogger logger, SpiffeId identity, DateTimeOffset notAfter, DateTimeOffset renewAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Certificate renewal failed ({Failures} in a row): {Reason}; the current certificate serves until {NotAfter:o}; retrying at {RetryAt:o}")]
    private static partial void LogRenewalFailed(ILogger logger, int failures, string reason, DateTimeOffset notAfter, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Certificate request failed ({Failures} in a row): {Reason}; no certificate yet, so no mTLS; retrying at {RetryAt:o}")]
    private static partial void LogFirstFailed(ILogger logger, int failures, string reason, DateTimeOffset retryAt);
}

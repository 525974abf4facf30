using MeshNet.ControlPlane.Identity;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Transport;

/// <summary>
/// Looks at the CA in force every few seconds: re-issues the serving certificate when it is due or the signer changed
/// (handshakes check too, but an idle port must not hand its first client a stale certificate's expiry), and rewrites
/// the bundle file when the roots changed.
/// </summary>
internal sealed partial class GrpcTransportRefresher(
    ServingCertificate serving,
    Func<CertificateAuthority> authority,
    CaBundleFile? bundle,
    TimeProvider time,
    ILogger<GrpcTransportRefresher> logger) : BackgroundService
{
    /// <summary>How long a CA change may go unnoticed by the bundle file; handshakes notice it at once.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    /// <summary>Issues the first certificate and writes the bundle; called before the listener opens.</summary>
    public void RefreshNow()
    {
        _ = serving.Current;
        if (bundle is not null && bundle.Write(authority().TrustBundle))
        {
            LogBundleWritten(logger, bundle.Path);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    RefreshNow();
                }
                catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException or ObjectDisposedException or InvalidOperationException)
                {
                    // A CA swapped out (and disposed) mid-issue, or a full disk: the next tick tries again.
                    LogRefreshFailed(logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "gRPC TLS: wrote the trust bundle to {Path}")]
    private static partial void LogBundleWritten(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "gRPC TLS: refreshing the serving certificate or bundle failed: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}

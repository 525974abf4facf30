using MeshNet.Protocol.V1;
using MeshNet.Proxy.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Identity;

/// <summary>
/// Adopts the trust bundle each applied config carries: its roots check peers from the next handshake on (both
/// directions, whatever leaf this sidecar holds), and its signer tells the renewer whether the leaf needs reissuing.
/// It runs before the config is ACKed, so a control plane that sees the ACK knows this sidecar trusts the new roots.
/// </summary>
internal sealed partial class TrustBundleFollower(
    ConfigApplier applier,
    CertificateStore store,
    CertificateRenewer renewer,
    ILogger<TrustBundleFollower> logger) : IHostedService
{
    // Only touched from Applied, which the applier raises one at a time.
    private TrustBundle? _adopted;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        applier.Applied += OnApplied;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        applier.Applied -= OnApplied;
        return Task.CompletedTask;
    }

    private void OnApplied(ProxySnapshot snapshot)
    {
        var bundle = snapshot.TrustBundle;
        if (bundle is null || ReferenceEquals(bundle, _adopted) || bundle.Equals(_adopted))
        {
            return;
        }

        // Validated when the snapshot was built, so this parse succeeds.
        if (!TrustBundleRoots.TryParse(bundle, out var roots, out var error))
        {
            LogUnusable(logger, error);
            return;
        }

        _adopted = bundle;
        store.SetPushedTrustBundle(roots);
        var subjects = string.Join(", ", roots.Select(r => r.Subject));
        LogAdopted(logger, roots.Count, subjects, bundle.SignerSha256);
        if (store.Enabled)
        {
            renewer.SignerPushed(bundle.SignerSha256);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Trust bundle from the control plane: {Roots} roots ({Subjects}); signer {Signer}")]
    private static partial void LogAdopted(ILogger logger, int roots, string subjects, string signer);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ignored the pushed trust bundle: {Reason}")]
    private static partial void LogUnusable(ILogger logger, string reason);
}

using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Injection;

/// <summary>
/// Keeps <c>caBundle</c> of every webhook in one MutatingWebhookConfiguration equal to the mesh CA's roots, so the
/// API server trusts the serving certificate the control plane issues itself. Patches at start-up (retrying with
/// backoff while the API is unreachable) and again whenever the roots change (a trust-anchor rotation). Every replica
/// does this; they share one CA (from the same Secret), so their patches agree and a repeat is a no-op.
/// </summary>
internal sealed partial class WebhookCaBundlePatcher(
    IKubernetes client,
    string configurationName,
    Func<IEnumerable<X509Certificate2>> roots,
    TimeProvider time,
    ILogger<WebhookCaBundlePatcher> logger) : BackgroundService
{
    /// <summary>How often the roots are compared with what was last patched.</summary>
    public static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(30);

    /// <summary>Retry delays after a failed patch: 1 s doubling to 30 s.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);

    private string? _patched;

    /// <summary>The roots as one PEM text; what goes (base64) into caBundle.</summary>
    public static string BundlePem(IEnumerable<X509Certificate2> certificates) =>
        string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));

    /// <summary>One attempt: patches when the roots differ from the last successful patch.</summary>
    /// <returns>True when the caBundle is (now) up to date.</returns>
    public async Task<bool> SyncAsync(CancellationToken cancellationToken)
    {
        var pem = BundlePem(roots());
        if (string.Equals(pem, _patched, StringComparison.Ordinal))
        {
            return true;
        }

        try
        {
            var configuration = await client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(configurationName, cancellationToken: cancellationToken).ConfigureAwait(false);
            var count = configuration.Webhooks?.Count ?? 0;
            var bundle = Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
            var patch = new JsonArray();
            for (var i = 0; i < count; i++)
            {
                // "add" replaces an existing member (RFC 6902 4.1), so this works whether caBundle is set or not.
                patch.Add(new JsonObject { ["op"] = "add", ["path"] = $"/webhooks/{i}/clientConfig/caBundle", ["value"] = bundle });
            }

            if (count > 0)
            {
                // Fails the whole patch if the webhooks changed between the read and the patch; the next try re-reads.
                patch.Insert(0, new JsonObject { ["op"] = "test", ["path"] = $"/webhooks/{count - 1}/name", ["value"] = configuration.Webhooks![count - 1].Name });
                await client.AdmissionregistrationV1.PatchMutatingWebhookConfigurationAsync(
                    new V1Patch(patch.ToJsonString(), V1Patch.PatchType.JsonPatch), configurationName, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            _patched = pem;
            LogPatched(logger, configurationName, count);
            return true;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, configurationName, e.Message);
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            var synced = await SyncAsync(stoppingToken).ConfigureAwait(false);
            var wait = synced ? CheckPeriod : retry;
            retry = synced ? FirstRetry : TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxRetry.Ticks));
            try
            {
                await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook: caBundle of MutatingWebhookConfiguration {Name} set to the mesh CA's roots ({Webhooks} webhooks)")]
    private static partial void LogPatched(ILogger logger, string name, int webhooks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook: could not patch the caBundle of MutatingWebhookConfiguration {Name}, retrying: {Reason}")]
    private static partial void LogFailed(ILogger logger, string name, string reason);
}

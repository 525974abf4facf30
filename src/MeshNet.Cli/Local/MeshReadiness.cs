using System.Net.Http.Json;

namespace MeshNet.Cli.Local;

/// <summary>
/// Waits until the control plane reports every expected sidecar connected and ready (its app passed the
/// readiness probe), which is when Services have those pods as ready endpoints.
/// </summary>
internal sealed class MeshReadiness(HttpClient http, Uri controlPlaneAdmin, TimeProvider time)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <param name="onReadyCountChanged">Told the number of ready pods whenever it changes.</param>
    public async Task WaitForPodsAsync(IReadOnlyCollection<PodIdentity> pods, TimeSpan timeout, Action<int>? onReadyCountChanged, CancellationToken cancellationToken)
    {
        var lastReady = -1;
        var deadline = time.GetUtcNow() + timeout;
        var expected = pods.Select(p => (p.Namespace, p.Name)).ToHashSet();
        IReadOnlyCollection<(string, string)> missing = expected;
        while (time.GetUtcNow() < deadline)
        {
            missing = await MissingAsync(expected, cancellationToken).ConfigureAwait(false);
            if (expected.Count - missing.Count != lastReady)
            {
                lastReady = expected.Count - missing.Count;
                onReadyCountChanged?.Invoke(lastReady);
            }

            if (missing.Count == 0)
            {
                return;
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException(
            $"pods not ready after {timeout.TotalSeconds:0}s: {string.Join(", ", missing.Select(m => m.Item2).Order(StringComparer.Ordinal))}");
    }

    /// <summary>Waits for a sidecar's own admin /ready: it has applied its first config.</summary>
    public async Task WaitForSidecarConfigAsync(Uri sidecarAdmin, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (time.GetUtcNow() < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(sidecarAdmin, "/ready"), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"sidecar at {sidecarAdmin} has no config after {timeout.TotalSeconds:0}s");
    }

    private async Task<IReadOnlyCollection<(string, string)>> MissingAsync(HashSet<(string, string)> expected, CancellationToken cancellationToken)
    {
        List<ProxyStatus>? proxies;
        try
        {
            proxies = await http.GetFromJsonAsync(new Uri(controlPlaneAdmin, "/debug/proxies"), AdminJsonContext.Default.ListProxyStatus, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return expected;
        }

        var ready = (proxies ?? []).Where(p => p.Ready).Select(p => (p.Namespace, p.Name)).ToHashSet();
        return [.. expected.Where(e => !ready.Contains(e))];
    }
}

using MeshNet.Protocol.V1;
using MeshNet.Proxy.ClusterDns;
using MeshNet.Proxy.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// Turns discovery responses into the running configuration: validate against the last good snapshot, hand the
/// result to YARP, wait until the route table for it is live, and only then make it the last good one. Anything
/// that fails leaves the previous snapshot serving and comes back as the NACK message.
/// </summary>
internal sealed partial class ConfigApplier(MeshProxyConfigProvider provider, RouteTablePublisher publisher, DnsProxy dns, ListenerEndpoints listeners, TimeProvider time, ILogger<ConfigApplier> logger) : IDisposable
{
    // YARP applies a change synchronously inside the change-token callback in practice; the bound only keeps a
    // wedged reload from blocking the discovery stream forever.
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _serial = new(1, 1);
    private ProxySnapshot _current = ProxySnapshot.Empty;
    private long _appliedAt;

    /// <summary>The last good snapshot (empty until the first accepted response).</summary>
    public ProxySnapshot Current => Volatile.Read(ref _current);

    /// <summary>When the last response was accepted (and so ACKed), as a <see cref="TimeProvider"/> timestamp; null before.</summary>
    public long? LastAppliedTimestamp => Interlocked.Read(ref _appliedAt) is var at and not 0 ? at : null;

    /// <summary>Raised after a snapshot became the last good one, on the applying thread (one at a time, in order).</summary>
    public event Action<ProxySnapshot>? Applied;

    /// <summary>Returns null when applied, else the reason it was rejected.</summary>
    public async Task<string?> ApplyAsync(DiscoveryResponse response, CancellationToken cancellationToken)
    {
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var previous = _current;
            var next = SnapshotUpdater.TryApply(previous, response, out var error, new OwnListeners(listeners.Inbound, listeners.Outbound, listeners.Admin));
            if (next is null)
            {
                LogRejected(logger, response.VersionInfo, error!);
                return error;
            }

            var outcome = publisher.Expect(next.Version);
            provider.Update(next);
            // Not cancellable: once YARP has the config, the outcome must be recorded whatever happens to the
            // stream, or the route table and the last good snapshot would disagree.
            error = await WaitAsync(outcome, time).ConfigureAwait(false);
            if (error is not null)
            {
                // Put YARP back on the last good snapshot; the route table still describes it.
                provider.Update(previous);
                LogRejected(logger, response.VersionInfo, error);
                return error;
            }

            Interlocked.Exchange(ref _current, next);
            Interlocked.Exchange(ref _appliedAt, time.GetTimestamp());
            // Built and checked during validation, so this swap cannot fail.
            dns.Update(next.DnsTable);
            Applied?.Invoke(next);
            LogApplied(logger, next.Version, response.FullState, next.VirtualHosts.Count, next.Clusters.Count, next.DnsServices.Count);
            return null;
        }
        finally
        {
            _serial.Release();
        }
    }

    public void Dispose() => _serial.Dispose();

    private static async Task<string?> WaitAsync(Task<string?> outcome, TimeProvider time)
    {
        try
        {
            return await outcome.WaitAsync(ApplyTimeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return "the proxy did not apply the configuration within 10s";
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected configuration version {Version}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string version, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied configuration version {Version} (full state {FullState}): {VirtualHosts} virtual hosts, {Clusters} clusters, {DnsServices} DNS services")]
    private static partial void LogApplied(ILogger logger, string version, bool fullState, int virtualHosts, int clusters, int dnsServices);
}

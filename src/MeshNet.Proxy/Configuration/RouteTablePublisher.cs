using MeshNet.Proxy.Balancing;
using MeshNet.Proxy.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// Publishes a new <see cref="RouteTable"/> each time YARP has applied a config from
/// <see cref="MeshProxyConfigProvider"/>, so the request path only ever sees clusters YARP already knows.
/// Reports the outcome of each revision to whoever waits for it (the config applier, before it ACKs).
/// </summary>
internal sealed partial class RouteTablePublisher(IServiceProvider services, ResilienceRegistry resilience, TimeProvider time, ILogger<RouteTablePublisher> logger) : IConfigChangeListener
{
    private readonly RouteRegexCache _regexes = new();
    private readonly Lock _gate = new();
    private RouteTable _current = RouteTable.Empty;
    private (string Version, TaskCompletionSource<string?> Outcome)? _pending;

    public RouteTable Current => Volatile.Read(ref _current);

    /// <summary>Per-destination balancing statistics, kept across route tables.</summary>
    public BalancingRegistry Balancing { get; } = new(time);

    /// <summary>Registers interest in <paramref name="version"/> before it is handed to YARP; the task yields null or the error.</summary>
    public Task<string?> Expect(string version)
    {
        var outcome = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _pending?.Outcome.TrySetResult("superseded by a newer configuration");
            _pending = (version, outcome);
        }

        return outcome.Task;
    }

    public void ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
    }

    public void ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception) =>
        Complete(RevisionOf(configProvider.GetConfig()), exception.Message);

    public void ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception)
    {
        foreach (var config in proxyConfigs.OfType<MeshProxyConfig>())
        {
            LogApplyFailed(logger, config.RevisionId, exception);
            Complete(config.RevisionId, exception.GetBaseException().Message);
        }
    }

    public void ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
        foreach (var config in proxyConfigs.OfType<MeshProxyConfig>())
        {
            string? error = null;
            try
            {
                var lookup = services.GetRequiredService<IProxyStateLookup>();
                var table = RouteTableBuilder.Build(config.Snapshot, id => lookup.TryGetCluster(id, out var state) ? state : null, resilience, Balancing, _regexes);
                Volatile.Write(ref _current, table);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                LogApplyFailed(logger, config.RevisionId, ex);
                error = ex.Message;
            }

            Complete(config.RevisionId, error);
        }
    }

    private static string RevisionOf(IProxyConfig config) => config is MeshProxyConfig mesh ? mesh.RevisionId : string.Empty;

    private void Complete(string version, string? error)
    {
        lock (_gate)
        {
            if (_pending is { } pending && string.Equals(pending.Version, version, StringComparison.Ordinal))
            {
                pending.Outcome.TrySetResult(error);
                _pending = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "YARP could not apply configuration version {Version}")]
    private static partial void LogApplyFailed(ILogger logger, string version, Exception exception);
}

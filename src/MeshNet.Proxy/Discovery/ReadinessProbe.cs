using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Interception;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Discovery;

/// <summary>
/// Probes the app every interval (HTTP GET of the readiness path, 200-399 is ready, as Kubernetes does; else a TCP
/// connect) and publishes the result. Listeners see changes through <see cref="Changed"/>, a task completed and
/// replaced on every change.
/// </summary>
internal sealed partial class ReadinessProbe : BackgroundService
{
    private readonly ProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ReadinessProbe> _logger;
    private readonly HttpClient _http;
    private readonly SocketMarker _marker;
    private readonly TaskCompletionSource _firstProbe = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WorkloadStatus _current = new() { Ready = false, Reason = "not probed yet" };

    // Touched only by the probe loop.
    private int _consecutiveFailures;

    public ReadinessProbe(ProxyOptions options, SocketMarker marker, TimeProvider time, ILogger<ReadinessProbe> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _marker = marker;
        // Probes are marked too: intercepted, they would reach the outbound listener, which always accepts.
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = marker.ConnectHttpAsync,
        })
        {
            Timeout = options.ProbeInterval,
        };
    }

    public WorkloadStatus Current => Volatile.Read(ref _current);

    /// <summary>Completes when the status next changes.</summary>
    public Task Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>Completes after the first probe, so the first registration carries a real readiness.</summary>
    public Task FirstProbe => _firstProbe.Task;

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Publish(Debounce(await ProbeOnceAsync(stoppingToken).ConfigureAwait(false)));
            _firstProbe.TrySetResult();
            try
            {
                await Task.Delay(_options.ProbeInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task<WorkloadStatus> ProbeOnceAsync(CancellationToken cancellationToken)
    {
        if (_options.AppPort == 0)
        {
            return new WorkloadStatus { Ready = true, Reason = "no app port to probe" };
        }

        try
        {
            if (_options.ReadinessPath is { } path)
            {
                var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{FormatHost(_options.AppAddress)}:{_options.AppPort}{path}"));
                using var response = await _http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
                var code = (int)response.StatusCode;
                return code is >= 200 and < 400
                    ? new WorkloadStatus { Ready = true }
                    : new WorkloadStatus { Ready = false, Reason = string.Create(CultureInfo.InvariantCulture, $"readiness probe failed: HTTP {code}") };
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ProbeInterval);
            using var socket = await _marker.ConnectAsync(new IPEndPoint(_options.AppAddress, _options.AppPort), timeout.Token).ConfigureAwait(false);
            return new WorkloadStatus { Ready = true };
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new WorkloadStatus { Ready = false, Reason = "readiness probe failed: " + (ex is OperationCanceledException ? "timed out" : ex.Message) };
        }
    }

    /// <summary>A ready app stays ready until <see cref="ProxyOptions.ProbeFailureThreshold"/> probes in a row fail; one success makes it ready.</summary>
    internal WorkloadStatus Debounce(WorkloadStatus probed)
    {
        if (probed.Ready)
        {
            _consecutiveFailures = 0;
            return probed;
        }

        _consecutiveFailures++;
        return Current.Ready && _consecutiveFailures < _options.ProbeFailureThreshold ? Current : probed;
    }

    private static string FormatHost(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    internal void Publish(WorkloadStatus status)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            var previous = _current;
            Volatile.Write(ref _current, status);
            if (previous.Ready == status.Ready && _firstProbe.Task.IsCompleted)
            {
                return;
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        LogReadinessChanged(_logger, status.Ready, status.Reason);
        changed.TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "App readiness is now {Ready} {Reason}")]
    private static partial void LogReadinessChanged(ILogger logger, bool ready, string reason);
}

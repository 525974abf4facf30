using System.Globalization;
using System.Threading.Channels;
using Grpc.Core;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Telemetry.Tracing;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using MeshNet.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Discovery;

/// <summary>
/// One sidecar's discovery stream. All state is touched by one loop that consumes a single event queue
/// (requests from the sidecar, "config changed" from the cache), so ACK/NACK bookkeeping needs no locks.
/// Invariants: at most one response in flight; each response is a delta against the last ACKed config of
/// this stream, or the full state while nothing has been ACKed on it yet.
/// </summary>
internal sealed partial class DiscoveryStreamSession
{
    private readonly DiscoveryDependencies _deps;
    private readonly ILogger _logger;
    // A request from the sidecar, or null for "the cache holds a newer config" (at most one queued, see _changeQueued).
    private readonly Channel<DiscoveryRequest?> _events = Channel.CreateUnbounded<DiscoveryRequest?>(
        new UnboundedChannelOptions { SingleReader = true });

    private int _changeQueued;
    // When the cache first signalled a version not yet sent (a TimeProvider timestamp, 0 = none): where push latency starts.
    private long _changedSince;
    private long _nonce;
    private ProxyConfig? _acked;
    private InFlight? _inFlight;
    private string? _nackedVersion;
    private Workload _workload = null!;
    private ProxyStatus _status = null!;
    private ProxyWatch _watch = null!;

    public DiscoveryStreamSession(DiscoveryDependencies deps, ILogger logger)
    {
        _deps = deps;
        _logger = logger;
    }

    public async Task RunAsync(
        IAsyncStreamReader<DiscoveryRequest> requests, IServerStreamWriter<DiscoveryResponse> responses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(responses);
        if (!await requests.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var first = requests.Current;
        _workload = SidecarWorkload.FromNode(first.Node);
        var id = MeshNames.NamespacedName(_workload.Namespace, _workload.Name);
        _status = new ProxyStatus(
            _workload.Name, _workload.Namespace, _workload.Address, _workload.InboundPort ?? 0, _workload.Labels,
            _workload.ServiceAccount, _workload.Ready, _deps.TimeProvider.GetUtcNow());
        _deps.Registry.Register(id, _status);
        _deps.Tracker.Upsert(_workload);
        var errorOrigin = $"sidecar {id}";
        _deps.Tracker.ReportErrors(errorOrigin, TelemetryCompiler.Validate(_workload, errorOrigin));
        LogConnected(id, _workload.Address, first.Node.ProxyVersion);

        using var pumpCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? pump = null;
        try
        {
            await _deps.Readiness.WaitForFirstResponseAsync(first.VersionInfo.Length > 0, cancellationToken).ConfigureAwait(false);
            var identity = new ProxyIdentity(
                _workload.Namespace, _workload.Name, _workload.Ports, (int)first.Node.AppPort, _workload.Labels, _workload.Annotations, _workload.Owner);
            _watch = _deps.Cache.Watch(identity, QueueChange);
            pump = PumpAsync(requests, pumpCancellation.Token);
            ApplyStatus(first.Status);
            await TrySendAsync(responses, cancellationToken).ConfigureAwait(false);
            await foreach (var request in _events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (request is not null)
                {
                    HandleRequest(id, request);
                }
                else
                {
                    Volatile.Write(ref _changeQueued, 0);
                }

                await TrySendAsync(responses, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (_watch is not null)
            {
                _deps.Cache.Remove(_watch);
            }

            await pumpCancellation.CancelAsync().ConfigureAwait(false);
            if (pump is not null)
            {
                await pump.ConfigureAwait(false);
            }

            if (_deps.Registry.Unregister(id, _status))
            {
                _deps.Tracker.Delete(_workload.Key);
                _deps.Tracker.ReportErrors(errorOrigin, []);
            }

            PushTracer.EndSend(_inFlight?.Span, nack: null, acked: false);
            LogDisconnected(id);
        }
    }

    /// <summary>Called by the cache under its lock: only enqueue, and at most one pending change signal.</summary>
    private void QueueChange()
    {
        Interlocked.CompareExchange(ref _changedSince, _deps.TimeProvider.GetTimestamp(), 0);
        if (Interlocked.Exchange(ref _changeQueued, 1) == 0)
        {
            _events.Writer.TryWrite(null);
        }
    }

    private async Task PumpAsync(IAsyncStreamReader<DiscoveryRequest> requests, CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                _events.Writer.TryWrite(requests.Current);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or RpcException or InvalidOperationException)
        {
            // The sidecar went away or the server is stopping: either way the stream is over.
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    private void HandleRequest(string id, DiscoveryRequest request)
    {
        ApplyStatus(request.Status);
        if (request.ResponseNonce.Length == 0)
        {
            return;
        }

        if (_inFlight is not { } inFlight || !string.Equals(inFlight.Nonce, request.ResponseNonce, StringComparison.Ordinal))
        {
            // An answer to a response that is no longer the one in flight: nothing to learn from it.
            return;
        }

        _inFlight = null;
        if (request.ErrorDetail is { } error)
        {
            _nackedVersion = inFlight.Sent.Version;
            _status.RecordNack(new NackRecord(inFlight.Sent.Version, inFlight.Nonce, error.Message, _deps.TimeProvider.GetUtcNow()));
            _deps.Metrics.RecordNack(error.Message);
            PushTracer.EndSend(inFlight.Span, error.Message);
            LogNack(id, inFlight.Sent.Version, inFlight.Nonce, error.Message);
            return;
        }

        _acked = inFlight.Sent.Config;
        _status.RecordAck(inFlight.Sent.Version, _deps.TimeProvider.GetUtcNow());
        _deps.Metrics.RecordPush(_deps.TimeProvider.GetElapsedTime(inFlight.ChangedSince));
        PushTracer.EndSend(inFlight.Span, nack: null);
    }

    private void ApplyStatus(WorkloadStatus? status)
    {
        var identity = status is null || status.Identity.Length == 0 ? null : status.Identity;
        var reason = status is null || status.Ready || status.Reason.Length == 0 ? null : status.Reason;
        if (status is null
            || (status.Ready == _workload.Ready
                && string.Equals(identity, _workload.Identity, StringComparison.Ordinal)
                && string.Equals(reason, _workload.NotReadyReason, StringComparison.Ordinal)))
        {
            return;
        }

        _workload = _workload with { Ready = status.Ready, Identity = identity, NotReadyReason = reason };
        _status.SetReady(status.Ready);
        if (_deps.Registry.IsOwner(MeshNames.NamespacedName(_workload.Namespace, _workload.Name), _status))
        {
            _deps.Tracker.Upsert(_workload);
        }
    }

    private async Task TrySendAsync(IServerStreamWriter<DiscoveryResponse> responses, CancellationToken cancellationToken)
    {
        if (_inFlight is not null)
        {
            // Coalesce: whatever changes meanwhile goes out as one delta after the ACK or NACK.
            return;
        }

        var next = _watch.Current;
        if (string.Equals(next.Version, _nackedVersion, StringComparison.Ordinal) ||
            (_acked is not null && ReferenceEquals(_acked, next.Config)))
        {
            Interlocked.Exchange(ref _changedSince, 0);
            return;
        }

        var nonce = (++_nonce).ToString(CultureInfo.InvariantCulture);
        var response = _acked is null ? DeltaBuilder.Full(next, nonce) : DeltaBuilder.Delta(_acked, next, nonce);
        // Push latency starts at the mesh change when the cache knows it (debounce and compile included), else when
        // this stream learnt of the new version.
        var changedSince = Interlocked.Exchange(ref _changedSince, 0);
        if (next.ObservedAt > 0 && (changedSince == 0 || next.ObservedAt < changedSince))
        {
            changedSince = next.ObservedAt;
        }

        var span = _deps.Tracer?.StartSend(next.PushTrace, MeshNames.NamespacedName(_status.Namespace, _status.Name), next.Version, response.FullState);
        _inFlight = new InFlight(nonce, next, changedSince == 0 ? _deps.TimeProvider.GetTimestamp() : changedSince, span);
        _status.RecordSent(next.Version);
        await responses.WriteAsync(response, cancellationToken).ConfigureAwait(false);
        var bytes = response.CalculateSize();
        LogPush(_status.Namespace, _status.Name, next.Version, response.FullState, bytes);
    }

    /// <param name="ChangedSince">When the change this version carries reached the stream (a TimeProvider timestamp).</param>
    /// <param name="Span">The push's trace span, ended by the ACK, the NACK or the stream's end.</param>
    private sealed record InFlight(string Nonce, VersionedConfig Sent, long ChangedSince, System.Diagnostics.Activity? Span = null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sidecar {Sidecar} connected from {Address} (proxy {ProxyVersion})")]
    private partial void LogConnected(string sidecar, string address, string proxyVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sidecar {Sidecar} disconnected")]
    private partial void LogDisconnected(string sidecar);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushed version {Version} to {Namespace}/{Name} (full state: {FullState}, {Bytes} bytes)")]
    private partial void LogPush(string @namespace, string name, string version, bool fullState, int bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sidecar {Sidecar} rejected version {Version} (nonce {Nonce}): {Reason}")]
    private partial void LogNack(string sidecar, string version, string nonce, string reason);
}

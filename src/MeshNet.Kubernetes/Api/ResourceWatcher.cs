using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Autorest;
using MeshNet.Model;
using Microsoft.Extensions.Logging;

namespace MeshNet.Kubernetes.Api;

/// <summary>
/// List-then-watch of one resource type, in the manner of client-go's reflector: LIST (paged) gives a consistent
/// state and its resourceVersion; WATCH from there delivers every later change, and BOOKMARK events move the
/// resourceVersion on while nothing changes. When the server no longer has history that old (410 Gone, as an HTTP
/// status or as an ERROR event) the watcher lists again and reconciles: what disappeared meanwhile is deleted. A
/// watch the server ends (its timeout) is resumed at once; failures back off (<see cref="WatchBackoff"/>).
/// <para>
/// Only the converted model and its fingerprint are kept per object, never the API object. An object that turns
/// invalid keeps its last valid version in force, as a manifest document does.
/// </para>
/// </summary>
internal sealed class ResourceWatcher
{
    /// <summary>A watch that lasted this long or delivered an event was healthy: the failure count starts over.</summary>
    private static readonly TimeSpan HealthyWatch = TimeSpan.FromSeconds(1);

    private readonly ApiResourceKind _kind;
    private readonly IKubernetes _client;
    private readonly IMeshResourceSink _sink;
    private readonly IApiObjectObserver? _observer;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly WatchBackoff _backoff;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Touched only by RunAsync's loop.
    // The fingerprint of each object's model and the instance the sink holds for it (what the control plane's
    // snapshot will hold, so the status writer can tell when the control plane has seen this version).
    private readonly Dictionary<ResourceKey, (string Fingerprint, MeshResource Delivered)> _models = [];
    private readonly SortedDictionary<ResourceKey, ImmutableArray<ResourceError>> _errors = new(ResourceKey.Ordinal);
    private bool _errorsChanged;
    private string? _resourceVersion;

    public ResourceWatcher(
        ApiResourceKind kind, IKubernetes client, IMeshResourceSink sink, IApiObjectObserver? observer, ILogger logger, TimeProvider time, WatchBackoff backoff)
    {
        _kind = kind;
        _client = client;
        _sink = sink;
        _observer = observer;
        _logger = logger;
        _time = time;
        _backoff = backoff;
        Origin = $"kubernetes/{kind.Resource}";
    }

    /// <summary>Errors of this resource type carry this origin in /debug/errors.</summary>
    public string Origin { get; }

    /// <summary>Completes once the first LIST has been delivered to the sink.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Lists and relists performed, for tests and logs.</summary>
    public int ListCount { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            var progressed = false;
            try
            {
                if (_resourceVersion is null)
                {
                    await RelistAsync(cancellationToken).ConfigureAwait(false);
                    _synced.TrySetResult();
                    progressed = true;
                    started = _time.GetTimestamp();
                }

                var end = await WatchAsync(cancellationToken).ConfigureAwait(false);
                progressed = end.Events > 0 || _time.GetElapsedTime(started) >= HealthyWatch;
                if (end.Gone)
                {
                    ApiLog.Gone(_logger, _kind.Resource, end.Reason ?? "410 Gone");
                    _resourceVersion = null;
                }
                else if (end.Reason is { } reason)
                {
                    ApiLog.WatchError(_logger, _kind.Resource, reason);
                    progressed = false;
                }
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
            {
                // A stale resourceVersion on a watch, or an expired continue token on a LIST page.
                ApiLog.Gone(_logger, _kind.Resource, "HTTP 410");
                _resourceVersion = null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                ApiLog.RequestFailed(_logger, _kind.Resource, Describe(ex), ex);
            }

            failures = progressed ? 0 : failures + 1;
            if (failures > 0)
            {
                var delay = _backoff.Delay(failures, Random.Shared.NextDouble());
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RelistAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<ResourceKey>();
        string? resourceVersion = null;
        string? next = null;
        do
        {
            var page = await _kind.List(_client, next, cancellationToken).ConfigureAwait(false);
            // Every page of one paged LIST is read at the first page's resourceVersion.
            resourceVersion ??= page.ResourceVersion;
            foreach (var item in page.Items)
            {
                if (item?.Metadata is not null)
                {
                    seen.Add(Apply(item));
                }
            }

            next = string.IsNullOrEmpty(page.Continue) ? null : page.Continue;
        }
        while (next is not null);

        var gone = _models.Keys.Concat(_errors.Keys).Where(k => !seen.Contains(k)).Distinct().ToList();
        foreach (var key in gone)
        {
            Remove(key);
        }

        ListCount++;
        FlushErrors();
        _resourceVersion = string.IsNullOrEmpty(resourceVersion) ? "0" : resourceVersion;
        ApiLog.Listed(_logger, _kind.Resource, seen.Count, gone.Count, _resourceVersion);
    }

    private async Task<WatchEnd> WatchAsync(CancellationToken cancellationToken)
    {
        string? gone = null;
        string? failure = null;
        var events = 0;
        void OnError(Exception ex)
        {
            switch (ex)
            {
                case KubernetesException { Status.Code: (int)HttpStatusCode.Gone } status:
                    gone = status.Status.Message ?? "410 Gone";
                    break;
                case KubernetesException status:
                    failure = $"ERROR event {status.Status?.Code}: {status.Status?.Message}";
                    break;
                default:
                    // An event that could not be read is an event lost: only a fresh LIST restores a known state.
                    gone = $"unreadable event: {ex.Message}";
                    break;
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await foreach (var change in _kind.Watch(_client, _resourceVersion!, OnError, stop.Token).ConfigureAwait(false))
        {
            events++;
            switch (change.Type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    Apply(change.Object);
                    break;
                case WatchEventType.Deleted:
                    Remove(ApiObjectReader.KeyOf(_kind, change.Object.Metadata));
                    break;
                default:
                    break;
            }

            FlushErrors();
            if (change.Object.Metadata?.ResourceVersion is { Length: > 0 } rv)
            {
                _resourceVersion = rv;
            }

            if (gone is not null)
            {
                break;
            }
        }

        return new WatchEnd(events, gone is not null, gone ?? failure);
    }

    private ResourceKey Apply(IKubernetesObject<k8s.Models.V1ObjectMeta> item)
    {
        var outcome = ApiObjectReader.Read(_kind, item, Origin);
        if (!outcome.Errors.IsEmpty)
        {
            // Last good version stays in force: only the errors change.
            _observer?.Observed(outcome.Key, item, null, outcome.Errors);
            if (!_errors.TryGetValue(outcome.Key, out var previous) || !previous.SequenceEqual(outcome.Errors))
            {
                _errors[outcome.Key] = outcome.Errors;
                _errorsChanged = true;
            }

            return outcome.Key;
        }

        _errorsChanged |= _errors.Remove(outcome.Key);
        if (outcome.Resource is not { } resource)
        {
            return outcome.Key;
        }

        var fingerprint = ModelFingerprint.Of(resource);
        var changed = !_models.TryGetValue(outcome.Key, out var known) || !string.Equals(known.Fingerprint, fingerprint, StringComparison.Ordinal);
        var delivered = changed ? resource : known.Delivered;
        // The observer learns of the version before the sink does, so no flush can report it unseen.
        _observer?.Observed(outcome.Key, item, delivered, []);
        if (changed)
        {
            _models[outcome.Key] = (fingerprint, resource);
            _sink.Upsert(resource);
        }

        return outcome.Key;
    }

    private void Remove(ResourceKey key)
    {
        if (_models.Remove(key))
        {
            _sink.Delete(key);
        }

        _errorsChanged |= _errors.Remove(key);
        _observer?.Deleted(key);
    }

    private void FlushErrors()
    {
        if (_errorsChanged)
        {
            _errorsChanged = false;
            _sink.ReportErrors(Origin, [.. _errors.Values.SelectMany(e => e)]);
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        HttpOperationException { Response: { } response } => $"HTTP {(int)response.StatusCode}: {Truncate(response.Content)}",
        _ => ex.Message,
    };

    private static string Truncate(string? text) => text is null ? string.Empty : text.Length <= 300 ? text : text[..300];

    [DebuggerDisplay("{Events} events, gone={Gone}, {Reason}")]
    private readonly record struct WatchEnd(int Events, bool Gone, string? Reason);
}

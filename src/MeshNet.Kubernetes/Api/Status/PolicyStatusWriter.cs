using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MeshNet.Kubernetes.Crds;
using MeshNet.Model;
using Microsoft.Extensions.Logging;

namespace MeshNet.Kubernetes.Api.Status;

/// <summary>
/// Writes <c>status.conditions[type=Accepted]</c> of TrafficPolicies, TrafficRoutes and AuthorizationPolicies through
/// the status subresource (JSON merge patch). An object that fails validation here is refused at once (Invalid);
/// a valid one waits until the control plane has applied that very version (its snapshot holds the instance the
/// watcher delivered) and then gets the control plane's verdict: Accepted, or Rejected with its errors. Nothing is
/// written while the object already carries the desired condition, so the MODIFIED event of our own patch ends
/// the exchange.
/// </summary>
/// <remarks>
/// Locking: <c>_lock</c> guards the entries and the last report; the watchers and the control plane's update loop
/// only record and wake the single writing loop, which talks to the API server outside the lock.
/// </remarks>
internal sealed class PolicyStatusWriter : IApiObjectObserver, IResourceAcceptanceObserver, IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly WatchBackoff _backoff;
    private readonly Lock _lock = new();
    private readonly Dictionary<ResourceKey, Entry> _entries = [];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly CancellationTokenSource _stopping = new();
    private Func<ResourceKey, MeshResource?>? _current;
    private IReadOnlyList<ResourceError> _errors = [];
    private Task? _loop;

    public PolicyStatusWriter(IKubernetes client, ILogger logger, TimeProvider time, WatchBackoff backoff)
    {
        _client = client;
        _logger = logger;
        _time = time;
        _backoff = backoff;
    }

    /// <summary>Patches written, for tests and logs.</summary>
    public int Written => Volatile.Read(ref _written);

    private int _written;

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stopping.Token));

    public void Observed(ResourceKey key, IKubernetesObject<V1ObjectMeta> item, MeshResource? resource, IReadOnlyList<ResourceError> errors)
    {
        if (CrdFor(key.Kind) is not { } crd)
        {
            return;
        }

        var current = AcceptedCondition.From(StatusOf(item)?.Conditions?.FirstOrDefault(c => c?.Type == AcceptedCondition.Type));
        lock (_lock)
        {
            _entries[key] = new Entry(crd, item.Metadata?.Generation ?? 0, resource, [.. errors], current?.Condition, current?.Since);
        }

        _wake.Writer.TryWrite(true);
    }

    public void Deleted(ResourceKey key)
    {
        lock (_lock)
        {
            _entries.Remove(key);
        }
    }

    public void Applied(Func<ResourceKey, MeshResource?> current, IReadOnlyList<ResourceError> errors)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(errors);
        lock (_lock)
        {
            _current = current;
            _errors = errors;
        }

        _wake.Writer.TryWrite(true);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        try
        {
            while (await _wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                var failed = false;
                foreach (var (key, entry, desired) in Pending())
                {
                    failed |= !await WriteAsync(key, entry, desired, cancellationToken).ConfigureAwait(false);
                }

                failures = failed ? failures + 1 : 0;
                if (failed)
                {
                    await Task.Delay(_backoff.Delay(failures, Random.Shared.NextDouble()), _time, cancellationToken).ConfigureAwait(false);
                    _wake.Writer.TryWrite(true);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private List<(ResourceKey Key, Entry Entry, AcceptedCondition Desired)> Pending()
    {
        lock (_lock)
        {
            var pending = new List<(ResourceKey, Entry, AcceptedCondition)>();
            foreach (var (key, entry) in _entries.OrderBy(e => e.Key, ResourceKey.Ordinal))
            {
                if (Desired(key, entry) is { } desired && desired != entry.Current)
                {
                    pending.Add((key, entry, desired));
                }
            }

            return pending;
        }
    }

    /// <summary>The condition the entry's generation should carry, or null while the control plane has not judged it.</summary>
    private AcceptedCondition? Desired(ResourceKey key, Entry entry)
    {
        if (!entry.SourceErrors.IsDefaultOrEmpty)
        {
            return AcceptedCondition.Refused(AcceptedCondition.InvalidReason, entry.SourceErrors, entry.Generation);
        }

        if (entry.Delivered is null || _current?.Invoke(key) is not { } judged || !judged.Equals(entry.Delivered))
        {
            return null;
        }

        var refusals = _errors.Where(e => key.Equals(e.Resource) && !e.Origin.StartsWith(KubernetesApiSource.OriginPrefix, StringComparison.Ordinal)).ToList();
        return refusals.Count > 0
            ? AcceptedCondition.Refused(AcceptedCondition.RejectedReason, refusals, entry.Generation)
            : new AcceptedCondition(true, AcceptedCondition.AcceptedReason, $"in force for generation {entry.Generation}", entry.Generation);
    }

    /// <summary>False when the write failed in a way worth retrying.</summary>
    private async Task<bool> WriteAsync(ResourceKey key, Entry entry, AcceptedCondition desired, CancellationToken cancellationToken)
    {
        // lastTransitionTime moves only when the status flips, as the Kubernetes API conventions ask.
        var since = entry.Current is { } current && current.Accepted == desired.Accepted && entry.Since is { } at
            ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))
            : _time.GetUtcNow();
        try
        {
            await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                new V1Patch(desired.ToMergePatch(since), V1Patch.PatchType.MergePatch),
                entry.Crd.Group, entry.Crd.Version, key.Namespace, entry.Crd.Plural, key.Name,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            // Deleted meanwhile: its DELETED event removes the entry.
            return true;
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            ApiLog.StatusWriteFailed(_logger, key.ToString(), ex is HttpOperationException { Response: { } r } ? $"HTTP {(int)r.StatusCode}" : ex.Message);
            return false;
        }

        Interlocked.Increment(ref _written);
        ApiLog.StatusWritten(_logger, key, desired.Accepted, desired.Reason, desired.Generation);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var now) && ReferenceEquals(now, entry))
            {
                _entries[key] = entry with { Current = desired, Since = since.UtcDateTime };
            }
        }

        return true;
    }

    private static CrdDefinition? CrdFor(string kind) => kind switch
    {
        ResourceKinds.TrafficPolicy => CrdSchemas.TrafficPolicy,
        ResourceKinds.TrafficRoute => CrdSchemas.TrafficRoute,
        ResourceKinds.AuthorizationPolicy => CrdSchemas.AuthorizationPolicy,
        _ => null,
    };

    private static MeshPolicyStatus? StatusOf(IKubernetesObject<V1ObjectMeta> item) => item switch
    {
        V1alpha1TrafficPolicy policy => policy.Status,
        V1alpha1TrafficRoute route => route.Status,
        V1alpha1AuthorizationPolicy policy => policy.Status,
        _ => null,
    };

    /// <param name="Delivered">The model instance the sink holds for this generation; null when it is invalid.</param>
    /// <param name="Current">The Accepted condition the object carries now.</param>
    private sealed record Entry(
        CrdDefinition Crd,
        long Generation,
        MeshResource? Delivered,
        System.Collections.Immutable.ImmutableArray<ResourceError> SourceErrors,
        AcceptedCondition? Current,
        DateTime? Since);
}

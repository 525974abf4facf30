using System.Collections.Immutable;
using System.Threading.Channels;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Tracking;

/// <summary>
/// Receives resources from every source and records, per key, the net change since the last batch
/// (after kube-proxy's change trackers). Handlers only touch dictionaries under the lock and signal;
/// the single update loop calls <see cref="TakeBatch"/> and does the real work.
/// </summary>
internal sealed class MeshChangeTracker : IMeshResourceSink
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;

    // Guarded by _lock. _current is what sources have told us; _pending maps a key to the value the loop
    // last saw (Previous) and the latest value (Current), so A -> B -> A collapses into "no change".
    private readonly Dictionary<ResourceKey, MeshResource> _current = [];
    private readonly Dictionary<ResourceKey, ResourceChange> _pending = [];
    private readonly Dictionary<string, ImmutableArray<ResourceError>> _errors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingErrorOrigins = new(StringComparer.Ordinal);
    private long _lastChangeTimestamp;

    // Capacity 1 with DropWrite: any number of changes between two waits wake the loop once.
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public MeshChangeTracker(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> of the most recent recorded change.</summary>
    public long LastChangeTimestamp
    {
        get
        {
            lock (_lock)
            {
                return _lastChangeTimestamp;
            }
        }
    }

    public void Upsert(MeshResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        lock (_lock)
        {
            _current.TryGetValue(resource.Key, out var previous);
            _current[resource.Key] = resource;
            RecordLocked(resource.Key, previous, resource);
        }
    }

    public void Delete(ResourceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            if (!_current.Remove(key, out var previous))
            {
                return;
            }

            RecordLocked(key, previous, null);
        }
    }

    public void ReportErrors(string origin, IReadOnlyList<ResourceError> errors)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(errors);
        lock (_lock)
        {
            var had = _errors.TryGetValue(origin, out var existing);
            if (errors.Count == 0)
            {
                if (!had)
                {
                    return;
                }

                _errors.Remove(origin);
            }
            else
            {
                var list = errors.ToImmutableArray();
                if (had && existing.SequenceEqual(list))
                {
                    return;
                }

                _errors[origin] = list;
            }

            _pendingErrorOrigins.Add(origin);
            MarkChangedLocked();
        }
    }

    /// <summary>Current errors of every origin, ordered by origin then document.</summary>
    public ImmutableArray<ResourceError> GetErrors()
    {
        lock (_lock)
        {
            return [.. _errors.OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => e.Value)];
        }
    }

    /// <summary>Completes when at least one change was recorded since the previous wait returned.</summary>
    public ValueTask<bool> WaitForChangesAsync(CancellationToken cancellationToken) =>
        _signal.Reader.ReadAsync(cancellationToken);

    /// <summary>
    /// Forgets a pending wake-up. The loop calls it right before taking a batch: the changes behind that
    /// signal are in the batch, so waking for them again would only debounce an empty batch.
    /// </summary>
    public void ClearSignal() => _signal.Reader.TryRead(out _);

    /// <summary>Hands the accumulated net changes to the caller and starts a new batch.</summary>
    public MeshChangeBatch TakeBatch()
    {
        lock (_lock)
        {
            if (_pending.Count == 0 && _pendingErrorOrigins.Count == 0)
            {
                return MeshChangeBatch.Empty;
            }

            var changes = _pending.Values.OrderBy(c => c.Key, ResourceKey.Ordinal).ToImmutableArray();
            var errors = _pendingErrorOrigins.ToImmutableDictionary(
                o => o,
                o => _errors.TryGetValue(o, out var list) ? list : ImmutableArray<ResourceError>.Empty,
                StringComparer.Ordinal);
            _pending.Clear();
            _pendingErrorOrigins.Clear();
            return new MeshChangeBatch(changes, errors);
        }
    }

    private void RecordLocked(ResourceKey key, MeshResource? previous, MeshResource? current)
    {
        if (_pending.TryGetValue(key, out var pending))
        {
            // Keep the value the loop last saw as the base of the net change.
            previous = pending.Previous;
        }

        if (ReferenceEquals(previous, current) || (previous is not null && previous.Equals(current)))
        {
            _pending.Remove(key);
        }
        else
        {
            _pending[key] = new ResourceChange(key, previous, current);
        }

        MarkChangedLocked();
    }

    private void MarkChangedLocked()
    {
        _lastChangeTimestamp = _timeProvider.GetTimestamp();
        _signal.Writer.TryWrite(true);
    }
}

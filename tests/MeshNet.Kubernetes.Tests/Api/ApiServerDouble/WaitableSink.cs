using System.Threading.Channels;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Tests.Api;

/// <summary>A sink tests can wait on: every delivery wakes <see cref="WaitUntilAsync"/>, which re-checks its condition (no sleeping).</summary>
internal sealed class WaitableSink : IMeshResourceSink
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ResourceKey, MeshResource> _resources = [];
    private readonly Dictionary<string, IReadOnlyList<ResourceError>> _errors = new(StringComparer.Ordinal);
    private readonly List<string> _events = [];
    private readonly Channel<bool> _changed = Channel.CreateUnbounded<bool>();

    public void Upsert(MeshResource resource)
    {
        lock (_lock)
        {
            _resources[resource.Key] = resource;
            _events.Add($"upsert {resource.Key}");
        }

        _changed.Writer.TryWrite(true);
    }

    public void Delete(ResourceKey key)
    {
        lock (_lock)
        {
            _resources.Remove(key);
            _events.Add($"delete {key}");
        }

        _changed.Writer.TryWrite(true);
    }

    public void ReportErrors(string origin, IReadOnlyList<ResourceError> errors)
    {
        lock (_lock)
        {
            _errors[origin] = [.. errors];
        }

        _changed.Writer.TryWrite(true);
    }

    public T? Get<T>(string kind, string ns, string name)
        where T : MeshResource
    {
        lock (_lock)
        {
            return _resources.GetValueOrDefault(new ResourceKey(kind, ns, name)) as T;
        }
    }

    public MeshResource? Get(ResourceKey key)
    {
        lock (_lock)
        {
            return _resources.GetValueOrDefault(key);
        }
    }

    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_lock)
            {
                return [.. _resources.Keys.Order(ResourceKey.Ordinal).Select(k => k.ToString())];
            }
        }
    }

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<ResourceError> Errors
    {
        get
        {
            lock (_lock)
            {
                return [.. _errors.OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => e.Value)];
            }
        }
    }

    public async Task WaitUntilAsync(Func<WaitableSink, bool> condition, CancellationToken cancellationToken)
    {
        while (!condition(this))
        {
            await _changed.Reader.ReadAsync(cancellationToken);
        }
    }
}

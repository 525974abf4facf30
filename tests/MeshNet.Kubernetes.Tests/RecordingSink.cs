using MeshNet.Model;

namespace MeshNet.Kubernetes.Tests;

/// <summary>Records what a source delivered; safe to read from the test thread while the source writes.</summary>
internal sealed class RecordingSink : IMeshResourceSink
{
    private readonly object _gate = new();
    private readonly Dictionary<ResourceKey, MeshResource> _resources = [];
    private readonly Dictionary<string, IReadOnlyList<ResourceError>> _errors = new(StringComparer.Ordinal);
    private readonly List<string> _events = [];

    public void Upsert(MeshResource resource)
    {
        lock (_gate)
        {
            _resources[resource.Key] = resource;
            _events.Add($"upsert {resource.Key}");
        }
    }

    public void Delete(ResourceKey key)
    {
        lock (_gate)
        {
            _resources.Remove(key);
            _events.Add($"delete {key}");
        }
    }

    public void ReportErrors(string origin, IReadOnlyList<ResourceError> errors)
    {
        lock (_gate)
        {
            _errors[origin] = errors.ToList();
        }
    }

    public T? Get<T>(string kind, string ns, string name)
        where T : MeshResource
    {
        lock (_gate)
        {
            return _resources.TryGetValue(new ResourceKey(kind, ns, name), out var resource) ? (T)resource : null;
        }
    }

    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_gate)
            {
                return _resources.Keys.Order(ResourceKey.Ordinal).Select(k => k.ToString()).ToList();
            }
        }
    }

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToList();
            }
        }
    }

    /// <summary>Every error currently reported, as text, across origins.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_gate)
            {
                return _errors.OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => e.Value).Select(e => e.ToString()).ToList();
            }
        }
    }

    public bool HasReportedFor(string origin)
    {
        lock (_gate)
        {
            return _errors.ContainsKey(origin);
        }
    }

    public void ClearEvents()
    {
        lock (_gate)
        {
            _events.Clear();
        }
    }
}
